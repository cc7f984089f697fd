#include "cluster/node.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <random>

#include "cluster/node_post.hpp"
#include "server/router.hpp"

namespace chat::cluster {

namespace {

// Acks go out at least this often while messages arrive (node_frames.cpp sends them sooner under load).
constexpr auto tick_interval = std::chrono::milliseconds(50);

// The node's identity in NATS: its name and this run's random incarnation, so a node
// restarted under the same name is not taken for its dead predecessor (whose names are freed).
std::string identity_of(const std::string& node_name) {
  std::random_device random;
  const auto incarnation = (std::uint64_t{random()} << 32) | random();
  char hex[17] = {};
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(incarnation));
  return wire::token(node_name) + "-" + hex;
}

// How long a node stopping waits for its queued name releases (within the default --shutdown-timeout).
constexpr auto release_flush = std::chrono::seconds(2);

}  // namespace

cluster_node::cluster_node(cluster_config config, router& r, cluster_stats& stats)
    : config_(std::move(config)),
      router_(r),
      stats_(stats),
      self_(identity_of(config_.node_name)),
      nats_(std::make_shared<nats_connection>(config_)),
      names_(std::make_unique<name_service>(nats_->raw(), config_.replicas, config_.lease, std::chrono::seconds(15),
                                            stats_)),
      lease_(
          *names_, self_, config_.lease,
          [this](std::function<void()> job) { post([job = std::move(job)](cluster_node&) { job(); }); },
          lease_listener()) {
  stats_.nats_connected.store(1, std::memory_order_relaxed);
  stats_.enabled.store(true, std::memory_order_relaxed);
  spdlog::info("cluster node {} joined NATS at {} (name bucket {}, {} replicas)", config_.node_name,
               nats_->connected_url(), name_service::bucket, config_.replicas);
}

cluster_node::~cluster_node() {
  nats_->on_event(nullptr);
  // Graceful shutdown: the users have left and their names' releases are queued. Sent now,
  // another node can take the names at once rather than when this node's lease runs out.
  worker_.finish(release_flush);
  lease_.stop();
}

void cluster_node::start() {
  router_.names().on_name_freed([this](session_id id, const std::string& name) { name_freed(id, name); });
  const std::weak_ptr<cluster_node> weak = shared_from_this();
  nats_->on_event([weak](nats_connection::event e) {
    if (const auto self = weak.lock()) self->post([e](cluster_node& node) { node.connection_event(e); });
  });
  nats_->subscribe(wire::node_subject(self_), [weak](std::string payload) {
    if (const auto self = weak.lock()) self->incoming(std::move(payload));
  });
  asio::post(router_.executor(), [self = shared_from_this()] {
    self->timer_ = std::make_unique<asio::steady_timer>(self->router_.executor());
    self->arm_tick();
  });
  lease_.start();
}

void cluster_node::shutdown() {
  {
    std::lock_guard lock(inflight_mutex_);
    stopping_ = true;
  }
  inflight_changed_.notify_all();
  if (timer_) timer_->cancel();
  lease_.stop();
  // The tick that times out forwarded CONNECTs has stopped: answer them now, so their
  // sessions' held requests (their leaving, say) run and the router can finish.
  post([](cluster_node& node) {
    for (auto& [request, p] : node.pending_) {
      if (p.answered) continue;
      p.answered = true;
      node.outgoing_.erase(p.from);
      node.answer(p.from, protocol::format_error(error_code::unavailable, "the server is shutting down"));
      node.router_.resume(p.from);
    }
  });
}

void cluster_node::arm_tick() {
  timer_->expires_after(tick_interval);
  timer_->async_wait([weak = weak_from_this()](const asio::error_code& ec) {
    const auto self = weak.lock();
    if (!self || ec) return;
    {
      std::lock_guard lock(self->inflight_mutex_);
      if (self->stopping_) return;
    }
    self->tick();
    self->settle(self->router_);
    self->arm_tick();
  });
}

void cluster_node::tick() {
  // A renewal may block for seconds: the lease runs out here, not when the renewal gives up.
  lease_.check();
  const auto now = clock::now();
  std::vector<std::shared_ptr<remote_peer>> late;
  for (const auto& [id, remote] : remote_peers_by_id_) {
    remote->send_ack();
    if (remote->overdue(now, config_.ack_deadline)) late.push_back(remote);
  }
  for (const auto& remote : late) end_remote_peer(remote, "a MSG was not acknowledged in time");
  for (auto it = pending_.begin(); it != pending_.end();) {
    auto& p = it->second;
    if (!p.answered && now > p.deadline) {
      p.answered = true;
      outgoing_.erase(p.from);
      answer(p.from, protocol::format_error(error_code::unavailable, "the user's node did not answer"));
      router_.resume(p.from);
    }
    // A late answer after a minute is not coming.
    if (p.answered && now > p.deadline + std::chrono::minutes(1)) {
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
}

bool cluster_node::intercept(router& r, router_request& request) {
  if (request.what != router_request::kind::command) return false;
  const auto from = request.from;
  const auto& argument = request.cmd.argument;
  // Errors the registry gives alone keep their single-node answer: only a command whose
  // answer depends on the cluster's names is taken here.
  if (r.names().source_of(from, request.cmd) != answer_source::shared_names) return false;
  if (lease_.lost()) {
    refuse_unavailable(from);
  } else if (request.cmd.kind == command_kind::register_name) {
    claim_name(from, request.cmd);
  } else if (request.cmd.kind == command_kind::connect) {
    locate(from, request.cmd);
  } else {
    list_names(from, argument);
  }
  return true;
}

void cluster_node::answer(session_id from, std::string line) {
  outcome out;
  out.add(from, std::move(line));
  router_.apply_outcome(out);
}

void cluster_node::answer_locally(session_id from, const protocol::command& cmd) {
  router_.apply_outcome(router_.names().handle(from, cmd));
}

void cluster_node::send(const std::string& node, wire::frame f) {
  f.node = self_;
  nats_->publish(wire::node_subject(node), wire::format(f));
}

void cluster_node::refuse_unavailable(session_id from) {
  post([from](cluster_node& node) {
    node.answer(from, protocol::format_error(error_code::unavailable, "this server has lost the cluster for now"));
    node.router_.resume(from);
  });
}

void cluster_node::connection_event(nats_connection::event e) {
  stats_.nats_connected.store(e == nats_connection::event::disconnected ? 0 : 1, std::memory_order_relaxed);
  if (e == nats_connection::event::disconnected) {
    spdlog::warn("cluster: lost the connection to NATS; reconnecting");
    return;
  }
  spdlog::warn("cluster: reconnected to NATS at {}; ending {} cross-node chats (messages may have been lost)",
               nats_->connected_url(), remote_peers_by_id_.size());
  end_remote_peers_of("", "NATS reconnected");
}

server::cluster_joiner joiner(cluster_config config, cluster_stats& stats) {
  return [config = std::move(config), &stats](router& r, const std::string& served) mutable {
    if (config.node_name.empty()) config.node_name = served;
    auto node = std::make_shared<cluster_node>(config, r, stats);
    node->start();
    return std::shared_ptr<cluster_link>(std::move(node));
  };
}

}  // namespace chat::cluster
