#include "bench/runner.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <exception>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bench/engine.hpp"
#include "bench/proc_stats.hpp"
#include "bench/servers.hpp"
#include "chat/fd_limit.hpp"

namespace chat::bench {

// Called once the phase is drain. The phase flag alone does not stop the workers at once: one
// that checked it just before it changed may still be appending messages (and on one core, as
// bench/run.sh runs it, this thread preempts a worker anywhere). The drain would then compare
// received with a sent total that is still about to grow, could end at once at received == sent,
// and close_all() would count the message sent just after as lost. A handler posted to a worker
// now runs after any send under way, and every send after it sees the new phase: once each has
// run, the sent totals are final.
void engine::stop_sending(std::uint64_t deadline) {
  std::vector<std::future<void>> stopped;
  for (auto& w : workers_) {
    std::promise<void> done;
    stopped.push_back(done.get_future());
    asio::post(w->io, [done = std::move(done)]() mutable { done.set_value(); });
  }
  if (hooks_.stopping_senders) hooks_.stopping_senders();
  const auto until = std::chrono::steady_clock::time_point(std::chrono::nanoseconds(deadline));
  for (auto& f : stopped) f.wait_until(until);
}

bool engine::wait_for(const char* what, std::uint64_t target, std::uint64_t (engine::*value)() const, double seconds) {
  const auto deadline = now_ns() + static_cast<std::uint64_t>(seconds * 1e9);
  auto next_progress = now_ns();
  while ((this->*value)() < target) {
    if (s_.failed.load()) return false;
    if (now_ns() > deadline) {
      s_.fatal(std::string(what) + ": only " + std::to_string((this->*value)()) + " of " + std::to_string(target) +
               " done after " + std::to_string(static_cast<int>(seconds)) + " s");
      return false;
    }
    if (now_ns() >= next_progress) {
      progress(what);
      next_progress += 1'000'000'000;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

void engine::hold_until(const char* what, std::uint64_t end) {
  auto next_progress = now_ns();  // show each phase as it begins
  while (now_ns() < end && !s_.failed.load()) {
    if (now_ns() >= next_progress) {
      progress(what);
      next_progress += 1'000'000'000;
    }
    const auto left = end - std::min(end, now_ns());
    std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<std::uint64_t>(left, 50'000'000)));
  }
}

// Holds the measured phase; with --interval, closes an interval at every boundary but
// the last, which run() closes once the phase has ended so that it holds every measured message.
void engine::measure(bench_result& r, std::uint64_t start) {
  const char* what = cfg().idle ? "idle" : "measure";
  const auto end = start + static_cast<std::uint64_t>(cfg().duration * 1e9);
  if (!(cfg().interval > 0)) return hold_until(what, end);
  // Boundaries on a fixed grid from the start, so a late wake-up does not shift the later ones.
  const auto step = static_cast<std::uint64_t>(cfg().interval * 1e9);
  interval_from_ = start;
  for (std::uint64_t k = 1; !s_.failed.load(); ++k) {
    const auto to = std::min(end, start + k * step);
    hold_until(what, to);
    if (to == end) return;
    close_interval(r, start, now_ns(), rss_kib_of(cfg().server_pid));
  }
}

// Swaps every worker's interval histogram for an empty one on the worker's own thread and
// records the merged figures of the interval from interval_from_ to `to`.
void engine::close_interval(bench_result& r, std::uint64_t start, std::uint64_t to, long rss_kib) {
  std::vector<std::future<std::unique_ptr<histogram>>> full;
  for (auto& w : workers_) {
    std::promise<std::unique_ptr<histogram>> swapped;
    full.push_back(swapped.get_future());
    // Allocated here, not on the worker: a histogram is ~40 KB to zero.
    asio::post(w->io, [&w, swapped = std::move(swapped), fresh = std::make_unique<histogram>()]() mutable {
      swapped.set_value(std::exchange(w->slice, std::move(fresh)));
    });
  }
  histogram merged;
  for (auto& f : full) {
    if (const auto h = f.get()) merged.merge(*h);
  }
  const auto seconds = [start](std::uint64_t t) { return static_cast<double>(t - start) / 1e9; };
  r.intervals.push_back(summarize_interval(seconds(interval_from_), seconds(to), merged, rss_kib));
  interval_from_ = to;
  if (hooks_.interval_closed) hooks_.interval_closed(r.intervals.back());
}

namespace {

std::string utc_now() {
  const auto t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return b;
}

}  // namespace

engine::engine(const bench_config& c, const run_hooks& h)
    : s_(c),
      hooks_(h),
      adapter_(c.proto == protocol_kind::nats ? make_nats_adapter(*this) : make_chat_adapter(*this)),
      progress_(c.progress) {}

void engine::progress(const char* what, bool final) {
  if (!progress_.enabled()) return;
  histogram h;
  for (const auto& w : workers_) h.merge(w->latency);
  progress_figures f;
  f.phase = what;
  f.connections = s_.connected.load();
  f.measured = h.count() > 0;
  f.p99_ns = f.measured ? h.percentile(0.99) : 0;
  f.errors = sum(&worker::protocol_errors) + s_.unattributed.load();
  progress_.show(f, sum(&worker::received), now_ns(), final);
}

bench_result engine::run() {
  bench_result r;
  r.config = cfg();
  r.started_at = utc_now();
  const auto n = cfg().connections();

  // Descriptors: one per connection plus the process's own.
  const auto limit = raise_fd_limit();
  if (limit.soft < n + reserved_fds) {
    r.error = "need " + std::to_string(n + reserved_fds) + " file descriptors but the limit is " +
              std::to_string(limit.soft) + " (hard " + std::to_string(limit.hard) +
              "): raise it (ulimit -Hn as root, or LimitNOFILE=) or run several chat-bench processes";
    r.protocol_errors = 1;  // the run failed: never "errors 0" above FAILED
    return r;
  }
  std::string resolving = cfg().host;
  try {
    asio::io_context resolver_io;
    tcp::resolver resolver(resolver_io);
    auto servers = cfg().servers;
    if (servers.empty()) servers.emplace_back(cfg().host, cfg().port);
    for (const auto& [host, port] : servers) {
      resolving = host;
      s_.servers.push_back(*resolver.resolve(host, std::to_string(port)).begin());
      r.per_server.push_back({host + ":" + std::to_string(port)});
    }
    // One server: the figures above are its counts already.
    if (cfg().servers.empty()) r.per_server.clear();
    for (const auto& a : cfg().source_addrs) s_.sources.push_back(asio::ip::make_address(a));
  } catch (const std::exception& e) {
    r.error = "cannot resolve " + resolving + ": " + e.what();
    r.protocol_errors = 1;
    return r;
  }

  // Clients: a pair's two ends share a thread.
  const auto prefix = cfg().name_prefix.empty() ? "b" + std::to_string(getpid()) : cfg().name_prefix;
  for (std::size_t t = 0; t < cfg().threads; ++t) {
    workers_.push_back(std::make_unique<worker>());
    if (cfg().interval > 0) workers_.back()->slice = std::make_unique<histogram>();
  }
  for (std::size_t i = 0; i < n; ++i) {
    const auto unit = cfg().idle ? i : i / 2;
    auto& w = *workers_[unit % workers_.size()];
    auto c = std::make_unique<client>(w.io, w, i);
    c->server = server_of(i, s_.servers.size(), !cfg().idle);
    c->name = prefix + "_" + std::to_string(i);
    w.clients.push_back(std::move(c));
  }
  if (!cfg().idle) {
    for (auto& w : workers_) {
      for (std::size_t k = 0; k + 1 < w->clients.size(); k += 2) {
        auto& a = *w->clients[k];
        auto& b = *w->clients[k + 1];
        a.partner = &b;
        b.partner = &a;
        a.initiator = true;
        for (auto* c : {&a, &b}) adapter_->frame(*c, cfg().payload);
      }
    }
  }

  r.server_rss_before_kib = rss_kib_of(cfg().server_pid);
  const auto setup_start = now_ns();
  for (auto& wp : workers_) {
    auto& w = *wp;
    const auto launchers = std::min(launchers_per_worker, w.clients.size());
    for (std::size_t j = 0; j < launchers; ++j) {
      asio::co_spawn(w.io, launch(w, j, launchers), [this](std::exception_ptr e) {
        if (e) s_.fatal("connect loop failed");
      });
    }
    w.thread = std::thread([this, &w] {
      // Wake timers on time: the default 50 us slack would blur the open-loop schedule.
      prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
      if (cfg().spin) {
        spin(w);
      } else {
        w.io.run();
      }
    });
  }
  // Under a real-time policy (bench/run.sh uses SCHED_FIFO) a saturated worker never
  // blocks, and a FIFO thread is not preempted by another of the same priority: the
  // coordinator would never wake up. It sleeps nearly always, so it may outrank them.
  if (const int policy = sched_getscheduler(0); policy == SCHED_FIFO || policy == SCHED_RR) {
    sched_param param{};
    sched_getparam(0, &param);
    if (param.sched_priority < sched_get_priority_max(policy)) {
      ++param.sched_priority;
      pthread_setschedparam(pthread_self(), policy, &param);
    }
  }
  // Close every socket on its own thread, then let the aborted reads and writes finish and the threads end.
  const auto close_and_join = [&] {
    s_.set_phase(phase::closing);
    for (auto& w : workers_) {
      std::promise<void> done;
      auto f = done.get_future();
      asio::post(w->io, [this, &w, &done] {
        close_all(*w);
        w->guard.reset();
        done.set_value();
      });
      f.wait();
    }
    for (auto& w : workers_) {
      if (w->thread.joinable()) w->thread.join();
    }
  };

  bool ok = wait_for("connect", n, &engine::total_registered, cfg().setup_timeout);
  r.connections = total_registered();
  const bool explicit_pairing = !cfg().idle && !workers_.front()->clients.empty() &&
                                !adapter_->pair_request(*workers_.front()->clients.front()).empty();
  if (ok && explicit_pairing) {
    s_.set_phase(phase::pairing);
    for (auto& w : workers_) asio::post(w->io, [this, &w] { start_pairing(*w); });
    ok = wait_for("pair", n, &engine::total_paired, cfg().setup_timeout);
  }
  r.setup_seconds = static_cast<double>(now_ns() - setup_start) / 1e9;
  r.connect_rate = r.setup_seconds > 0 ? static_cast<double>(r.connections) / r.setup_seconds : 0;

  double t0 = 0, t1 = 0, cpu0 = 0, cpu1 = 0, scpu0 = -1, scpu1 = -1;
  std::uint64_t idle0 = 0, idle1 = 0;
  if (ok) {
    if (!cfg().idle) {
      s_.set_phase(phase::warmup);
      for (auto& w : workers_) asio::post(w->io, [this, &w] { start_traffic(*w); });
      hold("warmup", cfg().warmup);
    }
    s_.set_phase(phase::measure);
    const auto start = now_ns();
    t0 = static_cast<double>(start) / 1e9;
    cpu0 = cpu_seconds_self();
    idle0 = sum(&worker::idle_ns);
    scpu0 = cpu_seconds_of(cfg().server_pid);
    measure(r, start);
    const auto stop = now_ns();
    t1 = static_cast<double>(stop) / 1e9;
    cpu1 = cpu_seconds_self();
    idle1 = sum(&worker::idle_ns);
    scpu1 = cpu_seconds_of(cfg().server_pid);
    r.server_rss_after_kib = rss_kib_of(cfg().server_pid);
    s_.set_phase(phase::drain);
    if (cfg().interval > 0 && !s_.failed.load()) close_interval(r, start, stop, r.server_rss_after_kib);
    // Every message sent must arrive: once the workers have stopped sending, wait for the last ones in flight.
    const auto deadline = now_ns() + static_cast<std::uint64_t>(cfg().drain_timeout * 1e9);
    stop_sending(deadline);
    while (!s_.failed.load() && sum(&worker::received) < sum(&worker::sent) && now_ns() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (hooks_.drained) hooks_.drained();
    progress(cfg().idle ? "idle" : "done", true);
  } else if (cfg().progress) {
    std::fputc('\n', stderr);
  }
  close_and_join();

  r.measured_seconds = t1 - t0;
  tally(r);
  if (r.measured_seconds > 0) {
    r.throughput = static_cast<double>(r.measured_received) / r.measured_seconds;
    // Spinning burns the core by design: count only the polls that found work.
    r.bench_spin_idle_seconds = static_cast<double>(idle1 - idle0) / 1e9;
    r.bench_cpu_seconds = std::max(0.0, cpu1 - cpu0 - r.bench_spin_idle_seconds);
    r.bench_cores = r.bench_cpu_seconds / r.measured_seconds;
    r.bench_cpu_share = r.bench_cores / static_cast<double>(std::min(cfg().threads, usable_cores()));
    r.bench_bound = r.bench_cpu_share > 0.9;
    if (scpu0 >= 0 && scpu1 >= 0) {
      r.server_cpu_seconds = scpu1 - scpu0;
      r.server_cores = r.server_cpu_seconds / r.measured_seconds;
    }
  }
  if (cfg().idle && r.server_rss_before_kib >= 0 && r.server_rss_after_kib >= 0 && r.connections) {
    r.server_rss_per_connection = static_cast<double>(r.server_rss_after_kib - r.server_rss_before_kib) * 1024.0 /
                                  static_cast<double>(r.connections);
  }
  {
    std::lock_guard lock(s_.errors_mutex);
    r.error = s_.first_error;
    r.error_samples = s_.samples;
  }
  return r;
}

bench_result run(const bench_config& config, const run_hooks& hooks) {
  engine e(config, hooks);
  return e.run();
}

}  // namespace chat::bench
