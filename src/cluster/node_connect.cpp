// cluster_node, CONNECT across nodes: a CONNECT to a name held on another node goes to that
// node, whose router runs the same checks with a remote peer as the requester and replies;
// and the remote peers that stand for the users of chats across nodes, until they end.
#include <spdlog/spdlog.h>

#include "cluster/name_claim.hpp"
#include "cluster/node.hpp"
#include "cluster/node_post.hpp"
#include "server/router.hpp"

namespace chat::cluster {

namespace {

// How long a CONNECT forwarded to another node waits for its answer.
constexpr auto connect_deadline = std::chrono::seconds(5);

std::string remote_peer_key(const std::string& node, session_id sid) {
  return node + " " + std::to_string(sid);
}

std::optional<error_code> error_of(std::string_view wire) {
  for (int c = 0; c <= static_cast<int>(error_code::unavailable); ++c) {
    if (protocol::wire_name(static_cast<error_code>(c)) == wire) return static_cast<error_code>(c);
  }
  return std::nullopt;
}

}  // namespace

void cluster_node::locate(session_id from, const protocol::command& cmd) {
  worker_.submit([this, from, cmd] {
    bool ok = true;
    std::string value;
    try {
      if (const auto found = names_->lookup(claim_key(cmd.argument))) value = found->value;
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
  const auto holder = parse_claim_value(value_or_error);
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

void cluster_node::end_remote_peers_of(const std::string& node, const char* why) {
  std::vector<std::shared_ptr<remote_peer>> ending;
  for (const auto& [id, remote] : remote_peers_by_id_) {
    if (node.empty() || remote->remote().node == node) ending.push_back(remote);
  }
  for (const auto& remote : ending) end_remote_peer(remote, why);
}

}  // namespace chat::cluster
