#include "chat/router.hpp"

#include <spdlog/spdlog.h>

#include "chat/completion.hpp"
#include "chat/session.hpp"

namespace chat {

router::router(const pool_executor& pool, std::size_t queue_capacity)
    : strand_(asio::make_strand(pool)), requests_(strand_, queue_capacity) {}

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
      if (request.cmd.kind == protocol::command_kind::msg && out.count == 1 && out.items[0].to != request.from) {
        stats_.messages_relayed.fetch_add(1, std::memory_order_relaxed);
      }
      if (request.cmd.kind == protocol::command_kind::quit) {
        sessions_.erase(request.from);
      } else if (!was_registered && request.cmd.kind == protocol::command_kind::register_name) {
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
    } else if (!box.push(d.line)) {
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

void router::update_gauges() {
  stats_.registered.store(registry_.registered(), std::memory_order_relaxed);
  stats_.active_chats.store(registry_.active_chats(), std::memory_order_relaxed);
}

}  // namespace chat
