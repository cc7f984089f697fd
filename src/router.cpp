#include "chat/router.hpp"

#include <spdlog/spdlog.h>

#include <vector>

#include "chat/completion.hpp"
#include "chat/session.hpp"

namespace chat {

router::router(const pool_executor& pool, const router_limits& limits, server_stats& stats,
               std::function<std::size_t()> live_sessions)
    : strand_(asio::make_strand(pool)),
      limits_(limits),
      stats_(stats),
      live_sessions_(std::move(live_sessions)),
      requests_(strand_, limits.queue_capacity) {}

bool router::try_post(router_request& request) {
  return requests_.try_send(asio::error_code{}, std::move(request));
}

awaitable<void> router::post(router_request request) {
  co_await requests_.async_send(asio::error_code{}, std::move(request), use_tuple);
}

void router::shutdown() {
  router_request request;
  request.what = router_request::kind::shutdown;
  if (!try_post(request)) {
    // The queue is full: hand the request over from the router's own strand instead.
    asio::co_spawn(strand_, post(std::move(request)), log_exception{"router shutdown request"});
  }
}

awaitable<void> router::run() {
  while (!(shutting_down_ && sessions_.empty())) {
    auto [ec, request] = co_await requests_.async_receive(use_tuple);
    if (ec) break;
    handle(request);
    // Drain what is already queued before suspending again.
    while (requests_.try_receive([this](asio::error_code, router_request more) { handle(more); })) {
      if (shutting_down_ && sessions_.empty()) break;
    }
  }
  spdlog::debug("router stopped");
}

awaitable<void> router::sweep() {
  using namespace std::chrono;
  // A tick fine enough for the shortest timeout, and never busier than 10 per second.
  auto tick = std::min({limits_.idle_timeout, limits_.register_timeout, milliseconds(1000)}) / 4;
  tick = std::max(tick, milliseconds(100));
  asio::steady_timer timer(strand_);
  auto next_stats = steady_clock::now() + limits_.stats_interval;
  while (!shutting_down_) {
    timer.expires_after(tick);
    co_await timer.async_wait(use_tuple);
    if (shutting_down_) break;
    const auto now = steady_clock::now();
    std::vector<std::pair<session_id, protocol::bye_reason>> expired;
    for (const auto& [id, s] : sessions_) {
      if (now - s->last_line_at() > limits_.idle_timeout) {
        expired.emplace_back(id, protocol::bye_reason::idle_timeout);
      } else if (now - s->connected_at() > limits_.register_timeout && !registry_.name_of(id)) {
        expired.emplace_back(id, protocol::bye_reason::register_timeout);
      }
    }
    for (const auto& [id, reason] : expired) {
      stats_.timeouts.fetch_add(1, std::memory_order_relaxed);
      spdlog::info("session {} ({}) timed out: {}", id, registry_.name_of(id).value_or("unregistered"),
                   protocol::wire_name(reason));
      say_bye(id, reason);
    }
    if (!expired.empty()) update_gauges();
    if (limits_.stats_interval.count() > 0 && now >= next_stats) {
      spdlog::info("stats: {}", stats_.summary(live_sessions_()));
      next_stats = now + limits_.stats_interval;
    }
  }
}

void router::handle(router_request& request) {
  using kind = router_request::kind;
  switch (request.what) {
    case kind::join: {
      auto& joining = request.joining;
      if (shutting_down_) {
        joining->outbox().push_last(protocol::format_bye(protocol::bye_reason::shutdown));
        joining->stop_reading();
        return;
      }
      registry_.join(request.from);
      sessions_.emplace(request.from, std::move(joining));
      return;
    }
    case kind::command: {
      const auto was_registered = registry_.name_of(request.from).has_value();
      const auto out = registry_.handle(request.from, request.cmd);
      deliver(out);
      const auto command = request.cmd.kind;
      if (command == protocol::command_kind::msg && out.count == 1 && out.items[0].to != request.from) {
        stats_.messages_relayed.fetch_add(1, std::memory_order_relaxed);
        return;  // the hot path: nothing else changed
      }
      if (command == protocol::command_kind::quit) {
        sessions_.erase(request.from);
      } else if (!was_registered && command == protocol::command_kind::register_name) {
        if (auto name = registry_.name_of(request.from)) {
          const auto it = sessions_.find(request.from);
          spdlog::info("session {} from {} registered as {}", request.from,
                       it != sessions_.end() ? it->second->remote() : tcp::endpoint{}, *name);
        }
      }
      break;
    }
    case kind::reply: {
      outcome out;
      out.add(request.from, std::move(request.line));
      deliver(out);
      return;
    }
    case kind::leave: {
      deliver(registry_.leave(request.from));
      const auto it = sessions_.find(request.from);
      if (it != sessions_.end()) {
        // Flush what is queued for it, then close.
        it->second->outbox().push_last({});
        sessions_.erase(it);
      }
      break;
    }
    case kind::shutdown: {
      if (shutting_down_) return;
      shutting_down_ = true;
      spdlog::info("shutting down: saying BYE to {} sessions", sessions_.size());
      for (auto& [id, s] : sessions_) {
        s->outbox().push_last(protocol::format_bye(protocol::bye_reason::shutdown));
        s->stop_reading();
      }
      break;
    }
  }
  update_gauges();
}

void router::deliver(const outcome& out) {
  for (const auto& d : out) {
    const auto it = sessions_.find(d.to);
    if (it == sessions_.end()) continue;
    auto& box = it->second->outbox();
    if (d.last) {
      box.push_last(d.line);
    } else if (box.push(d.line) == outbox::push_result::full) {
      drop_slow_consumer(d.to);
    }
  }
}

void router::drop_slow_consumer(session_id id) {
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  auto dropped = std::move(it->second);
  sessions_.erase(it);
  stats_.slow_consumers.fetch_add(1, std::memory_order_relaxed);
  spdlog::warn("session {} ({}, {}) is a slow consumer: {} bytes queued, closing it", id,
               registry_.name_of(id).value_or("unregistered"), dropped->remote(), dropped->outbox().queued_bytes());
  // It is not reading, so a BYE line could not reach it: close at once and free its name.
  // The end marker also wakes its writer if it happens to be waiting for lines.
  dropped->outbox().push_last({});
  dropped->abort();
  deliver(registry_.leave(id));
}

void router::say_bye(session_id id, protocol::bye_reason reason) {
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  auto ending = std::move(it->second);
  sessions_.erase(it);
  deliver(registry_.leave(id));
  ending->outbox().push_last(protocol::format_bye(reason));
  ending->stop_reading();
  // A client that does not read either would keep its writer waiting forever.
  ending->abort_after(limits_.flush_grace);
}

void router::update_gauges() {
  stats_.registered.store(registry_.registered(), std::memory_order_relaxed);
  stats_.active_chats.store(registry_.active_chats(), std::memory_order_relaxed);
}

}  // namespace chat
