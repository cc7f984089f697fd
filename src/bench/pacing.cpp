#include <time.h>

#include <chrono>
#include <exception>

#include "bench/engine.hpp"

namespace chat::bench {

// Open loop: message k of this thread is due at start + k / rate and goes to
// sender k mod S, whatever happened to the earlier ones; its timestamp is that
// intended time, so a stall shows up in the latency instead of slowing the offer.
// Returns how many messages it sent.
std::size_t engine::send_due(worker& w) {
  if (!w.scheduling) return 0;
  if (!s_.sending() || s_.failed.load(std::memory_order_relaxed)) {
    w.scheduling = false;
    return 0;
  }
  const auto now = now_ns();
  const auto due = static_cast<std::uint64_t>(static_cast<double>(now - w.schedule_start) / w.interval_ns) + 1;
  std::size_t sent = 0;
  for (; w.next_k < due; ++w.next_k) {
    auto& c = *w.senders[w.next_k % w.senders.size()];
    if (c.st != client::state::paired) continue;
    append_message(c, w.schedule_start + static_cast<std::uint64_t>(static_cast<double>(w.next_k) * w.interval_ns));
    mark_dirty(c);
    ++sent;
  }
  flush_dirty(w);
  return sent;
}

// Sleeps on a timer until the next message is due (without --spin).
awaitable<void> engine::ticker(worker& w) {
  asio::steady_timer timer(w.io);
  while (w.scheduling) {
    send_due(w);
    if (!w.scheduling) break;
    const auto next = w.schedule_start + static_cast<std::uint64_t>(static_cast<double>(w.next_k) * w.interval_ns);
    // steady_clock is CLOCK_MONOTONIC in libstdc++, the clock of now_ns().
    timer.expires_at(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(next)));
    co_await timer.async_wait(use_tuple);
  }
}

// --spin: never sleep. Poll the sockets and the schedule in turn; a wake-up from
// sleep (a timer interrupt, an IPI, a context switch: tens of microseconds in a VM)
// then costs nothing, and send times are exact. Idle polls are timed so that the
// CPU figure still shows how busy chat-bench really was.
void engine::spin(worker& w) {
  // Idle time is this thread's CPU time, not wall time: a spinning thread that the
  // kernel preempts is neither busy nor idle.
  const auto thread_cpu_ns = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
  };
  auto before = thread_cpu_ns();
  while (!w.io.stopped()) {
    auto n = w.io.poll();
    n += send_due(w);
    const auto after = thread_cpu_ns();
    if (n == 0) w.idle_ns.add(after - before);
    before = after;
  }
}

void engine::start_traffic(worker& w) {
  if (cfg().window) {
    for (auto& c : w.clients) mark_dirty(*c);
    flush_dirty(w);
    return;
  }
  const double share = static_cast<double>(w.clients.size()) / static_cast<double>(cfg().connections());
  for (auto& c : w.clients) w.senders.push_back(c.get());
  if (w.senders.empty()) return;
  w.interval_ns = 1e9 / (cfg().rate * share);
  w.schedule_start = now_ns();
  w.scheduling = true;
  if (cfg().spin) return;  // spin() calls send_due() between polls
  asio::co_spawn(w.io, ticker(w), [this](std::exception_ptr e) {
    if (e) s_.fatal("ticker failed");
  });
}

}  // namespace chat::bench
