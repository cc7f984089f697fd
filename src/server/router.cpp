#include "server/router.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

#include "server/completion.hpp"

namespace chat::server {

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
  while (!(shutting_down_ && peers_.empty())) {
    auto [ec, request] = co_await requests_.async_receive(use_tuple);
    if (ec) break;
    handle(request);
    if (cluster_) cluster_->settle(*this);
    // Drain what is already queued before suspending again.
    while (requests_.try_receive([this](asio::error_code, router_request more) {
      handle(more);
      if (cluster_) cluster_->settle(*this);
    })) {
      if (shutting_down_ && peers_.empty()) break;
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
    while (const auto due = deadlines_.pop_due(now)) {
      const auto it = peers_.find(due->id);
      if (it == peers_.end()) continue;  // it left; its entry was stale
      // Both of its deadlines may fall due in one tick: one BYE.
      if (std::ranges::find(expired, due->id, &decltype(expired)::value_type::first) != expired.end()) continue;
      if (due->what == deadline_queue::kind::registration) {
        if (!registry_.is_registered(due->id)) expired.emplace_back(due->id, protocol::bye_reason::register_timeout);
        continue;
      }
      // Lines since the entry was queued move the deadline: re-check it lazily, now.
      const auto deadline = it->second->last_activity() + limits_.idle_timeout;
      if (deadline < now) {
        expired.emplace_back(due->id, protocol::bye_reason::idle_timeout);
      } else {
        deadlines_.add({deadline, due->id, deadline_queue::kind::idle});
      }
    }
    deadlines_.compact(2 * peers_.size(), [this](session_id id) { return peers_.contains(id); });
    for (const auto& [id, reason] : expired) {
      stats_.timeouts.add(reason);
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
  if (request.what != kind::join && request.what != kind::shutdown && request.what != kind::slow_consumer) {
    if (const auto held = held_.find(request.from); held != held_.end()) {
      held->second.push_back(std::move(request));
      return;
    }
    if (cluster_ && cluster_->intercept(*this, request)) {
      held_[request.from];
      return;
    }
  }
  switch (request.what) {
    case kind::join: {
      auto& joining = request.joining;
      joining->request_done();
      if (shutting_down_) {
        joining->deliver_last(protocol::format_bye(protocol::bye_reason::shutdown));
        joining->stop_reading();
        return;
      }
      registry_.join(request.from);
      const auto at = joining->connected_at();
      deadlines_.add({at + limits_.idle_timeout, request.from, deadline_queue::kind::idle});
      deadlines_.add({at + limits_.register_timeout, request.from, deadline_queue::kind::registration});
      peers_.emplace(request.from, std::move(joining));
      return;
    }
    case kind::command: {
      const auto command = request.cmd.kind;
      const auto was_registered =
          command == protocol::command_kind::register_name && registry_.is_registered(request.from);
      const auto out = registry_.handle(request.from, request.cmd);
      if (out.error) stats_.errors.add(*out.error);
      apply(out);
      done(request.from);
      if (command == protocol::command_kind::msg) {
        if (out.count == 1 && out.items[0].to != request.from) {
          stats_.messages_relayed.fetch_add(1, std::memory_order_relaxed);
        }
        return;  // nothing else changed
      }
      if (protocol::spec(command).ends_session) {
        peers_.erase(request.from);
      } else if (command == protocol::command_kind::register_name && !was_registered) {
        if (auto name = registry_.name_of(request.from)) {
          const auto it = peers_.find(request.from);
          spdlog::info("session {} registered as {}", it != peers_.end() ? it->second->describe() : "?", *name);
        }
      }
      break;
    }
    case kind::reply: {
      outcome out;
      out.add(request.from, std::move(request.line));
      deliver(out);
      done(request.from);
      return;
    }
    case kind::leave: {
      apply(registry_.leave(request.from));
      const auto it = peers_.find(request.from);
      if (it != peers_.end()) {
        // Flush what is queued for it, then close.
        it->second->deliver_last({});
        peers_.erase(it);
      }
      break;
    }
    case kind::slow_consumer:
      drop_slow_consumer(request.from);
      break;
    case kind::shutdown: {
      if (shutting_down_) return;
      shutting_down_ = true;
      if (cluster_) cluster_->shutdown();
      spdlog::info("shutting down: saying BYE to {} sessions", peers_.size());
      for (auto& [id, p] : peers_) {
        p->deliver_last(protocol::format_bye(protocol::bye_reason::shutdown));
        p->stop_reading();
      }
      break;
    }
  }
  update_gauges();
}

void router::apply_outcome(const outcome& out) {
  apply(out);
  update_gauges();
}

void router::resume(session_id id) {
  done(id);
  const auto it = held_.find(id);
  if (it == held_.end()) return;
  auto queue = std::move(it->second);
  held_.erase(it);
  while (!queue.empty()) {
    auto request = std::move(queue.front());
    queue.pop_front();
    handle(request);
    if (const auto again = held_.find(id); again != held_.end()) {
      // Taken over again: the rest waits behind it.
      for (auto& rest : queue) again->second.push_back(std::move(rest));
      return;
    }
  }
}

void router::done(session_id id) {
  if (const auto it = peers_.find(id); it != peers_.end()) it->second->request_done();
}

void router::apply(const outcome& out) {
  if (out.chat_closed) {
    // First make both queues refuse the chat's MSG lines, then queue DISCONNECTED:
    // a MSG either went in before it, or its sender is told NOT_IN_CHAT.
    for (const auto id : {out.chat_closed->first, out.chat_closed->second}) {
      if (const auto it = peers_.find(id); it != peers_.end()) it->second->leave_chat();
    }
  }
  deliver(out);
  // After OK CONNECTED and CONNECTED are queued: no direct MSG can precede them.
  if (out.chat_opened) open_chat(out.chat_opened->first, out.chat_opened->second);
}

void router::open_chat(session_id requester, session_id target) {
  const auto a = peers_.find(requester);
  const auto b = peers_.find(target);
  if (a == peers_.end() || b == peers_.end()) return;  // one was cut while its line was queued
  const auto chat = ++last_chat_;
  a->second->enter_chat(chat, registry_.name_of(requester).value_or(""), b->second->sink());
  b->second->enter_chat(chat, registry_.name_of(target).value_or(""), a->second->sink());
}

void router::deliver(const outcome& out) {
  for (const auto& d : out) {
    const auto it = peers_.find(d.to);
    if (it == peers_.end()) continue;
    auto& target = *it->second;
    if (d.last) {
      target.deliver_last(d.line);
    } else if (target.deliver(d.line) == outbox::push_result::slow_consumer) {
      drop_slow_consumer(d.to);
    }
  }
}

void router::drop_slow_consumer(session_id id) {
  const auto it = peers_.find(id);
  if (it == peers_.end()) return;
  auto dropped = std::move(it->second);
  peers_.erase(it);
  stats_.slow_consumers.fetch_add(1, std::memory_order_relaxed);
  spdlog::warn("session {} ({}) is a slow consumer: {} bytes queued, closing it", dropped->describe(),
               registry_.name_of(id).value_or("unregistered"), dropped->queued_bytes());
  // It is not reading, so a BYE line could not reach it: close at once and free its name.
  dropped->deliver_last({});
  dropped->abort();
  apply(registry_.leave(id));
}

void router::say_bye(session_id id, protocol::bye_reason reason) {
  const auto it = peers_.find(id);
  if (it == peers_.end()) return;
  auto ending = std::move(it->second);
  peers_.erase(it);
  ending->leave_chat();
  apply(registry_.leave(id));
  ending->deliver_last(protocol::format_bye(reason));
  ending->stop_reading();
  // A client that does not read either would keep its writer waiting forever.
  ending->abort_after(limits_.flush_grace);
}

void router::update_gauges() {
  stats_.registered.store(registry_.registered(), std::memory_order_relaxed);
  stats_.active_chats.store(registry_.active_chats(), std::memory_order_relaxed);
}

}  // namespace chat::server
