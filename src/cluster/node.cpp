#include "cluster/node.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <random>

#include "server/router.hpp"

namespace chat::cluster {

using namespace chat::server;  // the core whose seam this implements
namespace {

using protocol::command_kind;
using protocol::error_code;

// How long a CONNECT forwarded to another node waits for its answer.
constexpr auto connect_deadline = std::chrono::seconds(5);
// Frames from other nodes posted to the router and not yet handled, at most.
constexpr std::size_t max_inflight = 16384;
// Acks go out at least this often while messages arrive, and at once after this many.
constexpr auto tick_interval = std::chrono::milliseconds(50);
constexpr std::uint64_t ack_every = 512;

std::string remote_peer_key(const std::string& node, session_id sid) {
  return node + " " + std::to_string(sid);
}

// The claim's value: "<node token> <session> <name as registered>".
struct owner {
  std::string node;
  session_id sid = 0;
  std::string name;
};

std::optional<owner> parse_owner(std::string_view value) {
  const auto first = value.find(' ');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = value.find(' ', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  owner o;
  o.node = std::string(value.substr(0, first));
  const auto sid = value.substr(first + 1, second - first - 1);
  if (std::from_chars(sid.data(), sid.data() + sid.size(), o.sid).ec != std::errc{}) return std::nullopt;
  o.name = std::string(value.substr(second + 1));
  return o;
}

std::optional<error_code> error_of(std::string_view wire) {
  for (int c = 0; c <= static_cast<int>(error_code::unavailable); ++c) {
    if (protocol::wire_name(static_cast<error_code>(c)) == wire) return static_cast<error_code>(c);
  }
  return std::nullopt;
}

std::string key_of(std::string_view name) {
  return wire::token(protocol::name_key(name));
}

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

// Leases are renewed and read this often (a dead node is noticed within lease + this).
constexpr auto lease_interval = std::chrono::milliseconds(500);

}  // namespace

cluster_node::cluster_node(cluster_config config, router& r, cluster_stats& stats)
    : config_(std::move(config)),
      router_(r),
      stats_(stats),
      self_(identity_of(config_.node_name)),
      nats_(std::make_shared<nats_connection>(config_)),
      names_(std::make_unique<name_service>(nats_->raw(), config_.replicas, config_.lease, std::chrono::seconds(15),
                                            stats_)) {
  // The lease exists before any name is claimed: a sweep never takes this node's names for a dead node's.
  // Retried: right after the buckets are made (by this node or one starting beside it) their
  // streams may still be electing leaders.
  const auto deadline = clock::now() + std::chrono::seconds(15);
  while (!names_->renew(self_)) {
    if (clock::now() > deadline) throw std::runtime_error("cannot take this node's lease in NATS");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
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
  if (lease_thread_.joinable()) {
    {
      std::lock_guard lock(lease_mutex_);
      lease_stop_ = true;
    }
    lease_changed_.notify_all();
    lease_thread_.join();
  }
}

template <typename F>
void cluster_node::post(F f) {
  asio::post(router_.executor(), [weak = weak_from_this(), f = std::move(f)]() mutable {
    if (const auto self = weak.lock()) {
      f(*self);
      self->settle(self->router_);
    }
  });
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
  lease_thread_ = std::thread([this] { renew_leases(); });
}

void cluster_node::shutdown() {
  {
    std::lock_guard lock(inflight_mutex_);
    stopping_ = true;
  }
  inflight_changed_.notify_all();
  if (timer_) timer_->cancel();
  {
    std::lock_guard lock(lease_mutex_);
    lease_stop_ = true;
  }
  lease_changed_.notify_all();
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
  check_lease();
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
  if (lease_lost_) {
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

void cluster_node::settle(router& r) {
  if (finished_->empty()) return;
  const auto done = std::move(*finished_);
  finished_->clear();
  for (const auto id : done) {
    const auto it = remote_peers_by_id_.find(id);
    if (it == remote_peers_by_id_.end()) continue;
    const auto remote = it->second;
    remote_peers_by_id_.erase(it);
    remote_peers_.erase(remote_peer_key(remote->remote().node, remote->remote().sid));
    r.apply_outcome(r.names().leave(id));
    r.remove_peer(id);
  }
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

// --- names ---

std::string cluster_node::value_of(session_id id, const std::string& name) const {
  return self_ + " " + std::to_string(id) + " " + name;
}

void cluster_node::claim_name(session_id from, const protocol::command& cmd) {
  const auto key = key_of(cmd.argument);
  const auto value = value_of(from, cmd.argument);
  worker_.submit([this, from, cmd, key, value] {
    const auto result = names_->claim(key, value, config_.register_wait);
    post([from, cmd, key, result](cluster_node& node) { node.claimed(from, cmd, key, result); });
  });
}

void cluster_node::claimed(session_id from, const protocol::command& cmd, const std::string& key,
                           const name_service::claim_result& result) {
  auto& reg = router_.names();
  using status = name_service::claim_result::status;
  switch (result.outcome) {
    case status::claimed: {
      const bool wanted = reg.contains(from) && !reg.is_registered(from);
      const auto out = wanted ? reg.handle(from, cmd) : outcome{};
      if (reg.is_registered(from)) {
        claims_[from] = {key, result.revision, value_of(from, cmd.argument)};
        spdlog::info("session {} registered as {} (revision {})", from, cmd.argument, result.revision);
      } else {
        // The session left while its claim was on the way: give the name back.
        worker_.submit([this, key, revision = result.revision] { names_->release(key, revision); });
      }
      router_.apply_outcome(out);
      break;
    }
    case status::taken:
      answer(from, protocol::format_error(error_code::name_taken));
      break;
    case status::unavailable:
      spdlog::warn("REGISTER {}: the name service did not answer: {}", cmd.argument, result.error);
      answer(from, protocol::format_error(error_code::unavailable, "the name service did not answer: " + result.error));
      break;
  }
  router_.resume(from);
}

void cluster_node::name_freed(session_id id, const std::string&) {
  if (id >= first_remote_id) return;
  const auto it = claims_.find(id);
  if (it == claims_.end()) return;
  worker_.submit([this, c = it->second] { names_->release(c.key, c.revision); });
  claims_.erase(it);
}

// --- CONNECT across nodes ---

void cluster_node::locate(session_id from, const protocol::command& cmd) {
  worker_.submit([this, from, cmd] {
    bool ok = true;
    std::string value;
    try {
      if (const auto found = names_->lookup(key_of(cmd.argument))) value = found->value;
    } catch (const std::exception& e) {
      ok = false;
      value = e.what();
    }
    post([from, cmd, ok, value](cluster_node& node) { node.located(from, cmd, ok, value); });
  });
}

void cluster_node::located(session_id from, const protocol::command& cmd, bool ok, const std::string& value_or_error) {
  auto& reg = router_.names();
  if (!ok) {
    answer(from, protocol::format_error(error_code::unavailable, "the name service did not answer: " + value_or_error));
    router_.resume(from);
    return;
  }
  const auto holder = parse_owner(value_or_error);
  // Not held anywhere, held here after all, or the requester's state changed meanwhile
  // (it left, or a CONNECT from elsewhere made it busy): the registry answers as on one node.
  if (!holder || holder->node == self_ || !reg.is_registered(from) || reg.partner_of(from) || reg.find(cmd.argument)) {
    answer_locally(from, cmd);
    router_.resume(from);
    return;
  }
  const auto request = ++last_request_;
  pending_[request] = {from, cmd, clock::now() + connect_deadline, false};
  outgoing_[from] = protocol::name_key(cmd.argument);
  wire::frame f;
  f.what = wire::kind::connect;
  f.number = request;
  f.sid = from;
  f.word = reg.name_of(from).value_or("-");
  f.rest = cmd.argument;
  send(holder->node, std::move(f));
}

void cluster_node::incoming_connect(const wire::frame& f) {
  auto& reg = router_.names();
  const auto refuse = [&](error_code code) {
    wire::frame r;
    r.what = wire::kind::reply;
    r.number = f.number;
    r.word = std::string(protocol::wire_name(code));
    r.rest = "-";
    send(f.node, std::move(r));
  };
  const auto target = reg.find(f.rest);
  if (target && *target < first_remote_id) {
    if (const auto out = outgoing_.find(*target); out != outgoing_.end()) {
      // The target's own CONNECT is in flight. Two users asking each other at once get
      // one chat: the request from the name that sorts first wins, on both nodes.
      const auto requester = protocol::name_key(f.word);
      const bool mutual = out->second == requester;
      if (!mutual || !(requester < protocol::name_key(f.rest))) {
        refuse(error_code::busy);
        return;
      }
    }
  }
  const auto id = next_remote_peer_++;
  const auto remote =
      std::make_shared<remote_peer>(id, remote_peer::address{f.node, f.sid}, f.word, self_, nats_, finished_, stats_);
  if (!reg.join_remote(id, f.word)) {
    refuse(error_code::busy);
    return;
  }
  remote->expect_reply(f.number, target.value_or(0), target ? reg.name_of(*target).value_or("-") : "-");
  router_.add_peer(id, remote);
  add_remote_peer(remote);
  // The same checks in the same order as on one node, with the remote peer as the requester.
  router_.apply_outcome(reg.handle(id, protocol::command{command_kind::connect, f.rest}));
  if (!reg.partner_of(id)) remote->end_chat();
}

void cluster_node::connect_reply(const wire::frame& f) {
  const auto it = pending_.find(f.number);
  if (it == pending_.end()) return;
  const auto p = it->second;
  pending_.erase(it);
  if (p.answered) {
    if (f.word == "OK") {
      // The requester was told UNAVAILABLE already: end the chat the other node opened.
      wire::frame d;
      d.what = wire::kind::disconnect;
      d.number = f.sid;
      d.sid = p.from;
      send(f.node, std::move(d));
    }
    return;
  }
  outgoing_.erase(p.from);
  auto& reg = router_.names();
  if (f.word == "OK") {
    const auto id = next_remote_peer_++;
    const auto remote =
        std::make_shared<remote_peer>(id, remote_peer::address{f.node, f.sid}, f.rest, self_, nats_, finished_, stats_);
    remote->bind_local(p.from);
    if (reg.join_remote(id, f.rest)) {
      router_.add_peer(id, remote);
      add_remote_peer(remote);
      answer_locally(p.from, p.cmd);
      if (reg.partner_of(id) != p.from) remote->end_chat();
    } else {
      remote->end_chat();
      answer(p.from, protocol::format_error(error_code::busy));
    }
  } else if (!reg.contains(p.from) || reg.partner_of(p.from)) {
    answer_locally(p.from, p.cmd);  // IN_CHAT: a CONNECT from the other side won meanwhile
  } else {
    answer(p.from, protocol::format_error(error_of(f.word).value_or(error_code::no_such_user)));
  }
  router_.resume(p.from);
}

std::shared_ptr<remote_peer> cluster_node::remote_peer_of(const std::string& node, session_id sid) const {
  const auto it = remote_peers_.find(remote_peer_key(node, sid));
  return it == remote_peers_.end() ? nullptr : it->second;
}

void cluster_node::add_remote_peer(const std::shared_ptr<remote_peer>& remote) {
  remote_peers_[remote_peer_key(remote->remote().node, remote->remote().sid)] = remote;
  remote_peers_by_id_[remote->id()] = remote;
}

void cluster_node::end_remote_peer(const std::shared_ptr<remote_peer>& remote, const char* why) {
  spdlog::warn("ending the chat with {}: {}", remote->describe(), why);
  const auto out = router_.names().leave(remote->id());
  remote->end_chat();
  router_.apply_outcome(out);
}

// --- frames ---

void cluster_node::incoming(std::string payload) {
  {
    std::unique_lock lock(inflight_mutex_);
    inflight_changed_.wait(lock, [this] { return inflight_ < max_inflight || stopping_; });
    if (stopping_) return;
    ++inflight_;
  }
  post([payload = std::move(payload)](cluster_node& node) {
    node.handle_frame(payload);
    {
      std::lock_guard lock(node.inflight_mutex_);
      --node.inflight_;
    }
    node.inflight_changed_.notify_one();
  });
}

void cluster_node::handle_frame(const std::string& payload) {
  const auto f = wire::parse(payload);
  if (!f) {
    spdlog::warn("dropping a malformed cluster frame");
    return;
  }
  using kind = wire::kind;
  switch (f->what) {
    case kind::connect:
      incoming_connect(*f);
      return;
    case kind::reply:
      connect_reply(*f);
      return;
    case kind::msg: {
      const auto remote = remote_peer_of(f->node, f->sid);
      if (!remote) return;  // the chat ended here already; its sender hears of it by a D frame
      if (!remote->received(f->seq)) {
        end_remote_peer(remote, "a MSG from its node was lost");
        return;
      }
      router_.apply_outcome(router_.names().handle(remote->id(), protocol::command{command_kind::msg, f->rest}));
      stats_.messages_received.fetch_add(1);
      if (f->seq % ack_every == 0) remote->send_ack();
      return;
    }
    case kind::ack:
      if (const auto remote = remote_peer_of(f->node, f->sid)) remote->acked(f->seq);
      return;
    case kind::disconnect:
      if (const auto remote = remote_peer_of(f->node, f->sid)) {
        remote->remote_ended();
        if (f->seq > remote->delivered()) {
          spdlog::warn("{} ended its chat after MSG {} but {} arrived", remote->describe(), f->seq,
                       remote->delivered());
        }
        router_.apply_outcome(router_.names().leave(remote->id()));
        remote->end_chat();
      }
      return;
  }
}

void cluster_node::end_remote_peers_of(const std::string& node, const char* why) {
  std::vector<std::shared_ptr<remote_peer>> ending;
  for (const auto& [id, remote] : remote_peers_by_id_) {
    if (node.empty() || remote->remote().node == node) ending.push_back(remote);
  }
  for (const auto& remote : ending) end_remote_peer(remote, why);
}

void cluster_node::refuse_unavailable(session_id from) {
  post([from](cluster_node& node) {
    node.answer(from, protocol::format_error(error_code::unavailable, "this server has lost the cluster for now"));
    node.router_.resume(from);
  });
}

// --- leases ---

void cluster_node::renew_leases() {
  using std::chrono::nanoseconds;
  std::map<std::string, std::int64_t> seen;  // node -> server time of its last renewal (ns)
  auto next_renew = clock::now();
  auto own_seen_at = clock::now();  // when the watch last showed this node's own renewal as fresh
  bool healthy = false;
  const auto lease_ns = std::chrono::duration_cast<nanoseconds>(config_.lease).count();
  while (true) {
    {
      std::unique_lock lock(lease_mutex_);
      if (lease_stop_) return;
      if (!healthy) lease_changed_.wait_for(lock, std::chrono::milliseconds(100), [this] { return lease_stop_; });
      if (lease_stop_) return;
    }
    if (clock::now() >= next_renew) {
      const auto renew_started = clock::now();
      next_renew = renew_started + lease_interval;
      const bool renewed = names_->renew(self_);
      const auto renew_finished = clock::now();
      const auto now_ns =
          std::chrono::duration_cast<nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
      const auto own = seen.find(self_);
      const bool current = healthy && own != seen.end() && now_ns - own->second < lease_ns / 2;
      std::optional<std::set<std::string>> alive;
      if (current) {
        own_seen_at = clock::now();
        alive.emplace();
        for (auto it = seen.begin(); it != seen.end();) {
          if (now_ns - it->second > 10 * lease_ns) {
            it = seen.erase(it);  // long gone: forget
            continue;
          }
          if (it->first != self_ && now_ns - it->second < lease_ns) alive->insert(it->first);
          ++it;
        }
      } else if (renewed && clock::now() - own_seen_at > config_.lease / 2) {
        // The store takes our renewals but the watch does not show them: make it again.
        names_->reset_lease_watch();
        own_seen_at = clock::now();
      }
      post([renewed, renew_started, renew_finished, alive = std::move(alive)](cluster_node& node) {
        node.lease_round(renewed ? std::optional{std::pair{renew_started, renew_finished}} : std::nullopt, alive);
      });
    }
    healthy = names_->poll_leases(seen, std::chrono::milliseconds(100));
  }
}

void cluster_node::lease_round(std::optional<std::pair<clock::time_point, clock::time_point>> renewal,
                               const std::optional<std::set<std::string>>& alive) {
  if (renewal) {
    // The store stamps a renewal somewhere between its start and its end. Renewals stamped
    // more than a lease apart may have let another node count this one dead and free its
    // names, although this node never saw a renewal fail (one blocked for seconds).
    if (!lease_lost_ && renewal->second - renewed_at_ > config_.lease) lose_lease();
    renewed_at_ = renewal->first;
    if (lease_lost_) {
      lease_lost_ = false;
      spdlog::warn("cluster: this node's lease is renewed again; claiming {} names again", claims_.size());
      reclaim_names();
    }
  } else {
    check_lease();
  }
  if (!alive || lease_lost_) return;
  std::set<std::string> dead;
  for (const auto& node : live_nodes_) {
    if (alive->contains(node)) continue;
    dead.insert(node);
    spdlog::warn("cluster: node {} is gone (lease expired): ending its chats, freeing its names", node);
    end_remote_peers_of(node, "its node is gone");
  }
  live_nodes_ = *alive;
  // Sweeps that failed (the store did not answer) are tried again, for nodes still gone.
  for (const auto& node : unswept_) {
    if (!alive->contains(node)) dead.insert(node);
  }
  unswept_.clear();
  if (!dead.empty()) sweep_names(std::move(dead));
  if (!swept_once_) {
    swept_once_ = true;
    sweep_stale_names();
  }
}

void cluster_node::check_lease() {
  if (!lease_lost_ && clock::now() - renewed_at_ > config_.lease) lose_lease();
}

void cluster_node::lose_lease() {
  // Other nodes count this one dead by now: its chats with them are over, its names may be taken.
  lease_lost_ = true;
  spdlog::error("cluster: cannot renew this node's lease for {} ms: ending cross-node chats, refusing REGISTER",
                config_.lease.count());
  end_remote_peers_of("", "this node lost its lease");
}

void cluster_node::sweep_names(std::set<std::string> dead) {
  worker_.submit([this, dead = std::move(dead)] {
    try {
      std::size_t freed = 0;
      for (const auto& e : names_->list()) {
        const auto holder = parse_owner(e.value);
        if (holder && dead.contains(holder->node) && names_->release(e.key, e.revision)) ++freed;
      }
      if (freed > 0) spdlog::info("cluster: freed {} names of nodes that are gone", freed);
    } catch (const std::exception& e) {
      spdlog::warn("cluster: cannot free the names of nodes that are gone (trying again): {}", e.what());
      post([dead](cluster_node& node) { node.unswept_.insert(dead.begin(), dead.end()); });
    }
  });
}

void cluster_node::sweep_stale_names() {
  worker_.submit([this] {
    try {
      const auto entries = names_->list();
      // Read after the names: a node that claimed one of them had its lease first.
      const auto live = names_->live_nodes();
      if (!live) throw std::runtime_error("the lease bucket did not answer");
      const std::set<std::string> alive(live->begin(), live->end());
      std::size_t freed = 0;
      for (const auto& e : entries) {
        const auto holder = parse_owner(e.value);
        if (!holder || holder->node == self_ || alive.contains(holder->node)) continue;
        if (names_->release(e.key, e.revision)) ++freed;
      }
      if (freed > 0) spdlog::info("cluster: freed {} names of nodes that were gone before this one started", freed);
    } catch (const std::exception& e) {
      spdlog::warn("cluster: cannot sweep stale names (trying again): {}", e.what());
      post([](cluster_node& node) { node.swept_once_ = false; });
    }
  });
}

void cluster_node::reclaim_names() {
  for (const auto& [id, c] : claims_) {
    worker_.submit([this, id = id, c = c] {
      std::optional<std::uint64_t> revision;
      const auto result = names_->claim(c.key, c.value, config_.register_wait);
      if (result.outcome == name_service::claim_result::status::claimed) {
        revision = result.revision;
      } else {
        try {
          // Still ours (nobody swept it while this node was away)?
          if (const auto found = names_->lookup(c.key); found && found->value == c.value) revision = found->revision;
        } catch (const std::exception&) {
        }
      }
      post([id, value = c.value, revision](cluster_node& node) { node.reclaimed(id, value, revision); });
    });
  }
}

void cluster_node::reclaimed(session_id id, const std::string& value, std::optional<std::uint64_t> revision) {
  const auto it = claims_.find(id);
  if (it == claims_.end() || it->second.value != value) return;  // the user left meanwhile
  if (revision) {
    it->second.revision = *revision;
    return;
  }
  spdlog::warn("cluster: session {} lost its name to a user of another node", id);
  claims_.erase(it);
  router_.bye(id, protocol::bye_reason::name_lost);
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

// --- WHO ---

void cluster_node::list_names(session_id from, const std::string& prefix) {
  worker_.submit([this, from, prefix] {
    std::vector<name_service::entry> entries;
    std::string error;
    bool ok = true;
    try {
      entries = names_->list();
    } catch (const std::exception& e) {
      ok = false;
      error = e.what();
    }
    post([from, prefix, ok, entries = std::move(entries), error](cluster_node& node) {
      node.listed(from, prefix, ok, entries, error);
    });
  });
}

void cluster_node::listed(session_id from, const std::string& prefix, bool ok,
                          const std::vector<name_service::entry>& entries, const std::string& error) {
  if (!ok) {
    answer(from, protocol::format_error(error_code::unavailable, "the name service did not answer: " + error));
    router_.resume(from);
    return;
  }
  const auto wanted = protocol::name_key(prefix);
  std::vector<std::pair<std::string, std::string>> names;  // (key, name)
  for (const auto& e : entries) {
    const auto holder = parse_owner(e.value);
    if (!holder) continue;
    auto name_key = protocol::name_key(holder->name);
    if (name_key.starts_with(wanted)) names.emplace_back(std::move(name_key), holder->name);
  }
  std::sort(names.begin(), names.end());
  std::vector<std::string> shown;
  for (std::size_t i = 0; i < names.size() && i < protocol::max_who_names; ++i) shown.push_back(names[i].second);
  answer(from, protocol::format_who(names.size(), shown.data(), shown.size()));
  router_.resume(from);
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
