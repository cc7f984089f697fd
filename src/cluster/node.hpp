// Cluster mode (docs/cluster.md): this node's part of one name space
// shared over NATS. It is the router's cluster_link:
// - REGISTER claims the name in the JetStream KV bucket (name_service) before the
//   registry takes it; a freed name's claim is released by revision.
// - CONNECT to a name held on another node is forwarded to that node, whose router
//   runs the same checks through a remote_peer remote peer and replies.
// - WHO lists the bucket.
// Blocking KV calls run on one blocking_worker, and the node's lease keeps its own thread;
// every event from NATS, every worker result and every lease verdict enters as a post onto
// the router's strand, where all state here lives.
// The members are defined by concept: node.cpp (life, the seam, the tick),
// node_names.cpp (REGISTER, freed names, WHO), node_connect.cpp (CONNECT across nodes and
// the remote peers of chats), node_frames.cpp (frames from other nodes) and
// node_membership.cpp (what follows from leases: this node's lost or regained, others gone).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "chat/net.hpp"
#include "chat/protocol.hpp"
#include "cluster/config.hpp"
#include "cluster/lease.hpp"
#include "cluster/name_service.hpp"
#include "cluster/nats_connection.hpp"
#include "cluster/remote_peer.hpp"
#include "cluster/stats.hpp"
#include "cluster/wire.hpp"
#include "cluster/worker.hpp"
#include "server/cluster_link.hpp"

namespace chat::cluster {

class cluster_node final : public server::cluster_link, public std::enable_shared_from_this<cluster_node> {
 public:
  // Remote peers of remote users get session ids from here up; local sessions count from 1.
  static constexpr server::session_id first_remote_id = server::session_id{1} << 62;

  // Connects to NATS and opens the name bucket (blocking: call before serving); counts
  // into `stats` (which must outlive the node) from then on.
  // Throws std::runtime_error with a message fit for the user (unreachable, no JetStream).
  cluster_node(cluster_config config, server::router& r, cluster_stats& stats);
  // Sends the name releases still queued (for up to 2 s: a graceful stop frees its users'
  // names at once), then stops the lease's thread.
  ~cluster_node() override;

  // Subscribes to this node's subject and starts the ack/deadline tick.
  void start();

  bool intercept(server::router& r, server::router_request& request) override;
  void settle(server::router& r) override;
  void shutdown() override;

 private:
  using clock = std::chrono::steady_clock;
  struct claim {
    std::string key;
    std::uint64_t revision = 0;
    std::string value;
  };
  struct pending_connect {
    server::session_id from = 0;
    protocol::command cmd;
    clock::time_point deadline;
    bool answered = false;  // timed out and answered; kept to end a late chat
  };

  // Runs `f(node)` on the router's strand, if the node still exists then (node_post.hpp).
  template <typename F>
  void post(F f);

  void claim_name(server::session_id from, const protocol::command& cmd);
  void claimed(server::session_id from, const protocol::command& cmd, const std::string& key,
               const name_service::claim_result& result);
  void name_freed(server::session_id id, const std::string& name);
  void locate(server::session_id from, const protocol::command& cmd);
  void located(server::session_id from, const protocol::command& cmd, bool ok, const std::string& value_or_error);
  void list_names(server::session_id from, const std::string& prefix);
  void listed(server::session_id from, const std::string& prefix, bool ok,
              const std::vector<name_service::entry>& entries, const std::string& error);

  // What the lease tells (docs/cluster.md, Leases). Lost: other nodes count this one dead by
  // now, so its cross-node chats end and what needs the cluster is refused until regained.
  lease::listener lease_listener();
  void lease_lost();
  void lease_regained();
  // `alive`: the other nodes that renewed within the lease; those that were live and are not
  // any more are gone.
  void nodes_alive(const std::set<std::string>& alive);
  // Frees the names held by `dead` nodes (deletes conditional on revision).
  void sweep_names(std::set<std::string> dead);
  // Once at start: frees names of nodes without a lease (they died before this node started).
  void sweep_stale_names();
  // After the lease was lost: claims every local user's name again; a name another
  // node's user took meanwhile is theirs, and the local user gets BYE NAME_LOST.
  void reclaim_names();
  void reclaimed(server::session_id id, const std::string& value, std::optional<std::uint64_t> revision);
  void end_remote_peers_of(const std::string& node, const char* why);
  // REGISTER, CONNECT or WHO while the lease is lost: ERR UNAVAILABLE, in order.
  void refuse_unavailable(server::session_id from);

  // libnats thread: a frame for this node; waits while too many are posted and not yet handled.
  void incoming(std::string payload);
  void handle_frame(const std::string& payload);
  void incoming_connect(const wire::frame& f);
  void connect_reply(const wire::frame& f);
  void connection_event(nats_connection::event e);

  // Answers a request the registry can answer alone, and lets the session go on.
  void answer_locally(server::session_id from, const protocol::command& cmd);
  void answer(server::session_id from, std::string line);
  void send(const std::string& node, wire::frame f);
  std::shared_ptr<remote_peer> remote_peer_of(const std::string& node, server::session_id sid) const;
  void add_remote_peer(const std::shared_ptr<remote_peer>& remote);
  // Ends a cross-node chat from this side: the local partner gets DISCONNECTED, the remote node a D frame.
  void end_remote_peer(const std::shared_ptr<remote_peer>& remote, const char* why);
  void arm_tick();
  void tick();

  cluster_config config_;
  server::router& router_;
  cluster_stats& stats_;
  std::string self_;  // this node's token
  std::shared_ptr<nats_connection> nats_;
  std::unique_ptr<name_service> names_;
  std::shared_ptr<std::vector<server::session_id>> finished_ = std::make_shared<std::vector<server::session_id>>();

  // Router strand only.
  std::unordered_map<server::session_id, claim> claims_;
  std::unordered_map<std::uint64_t, pending_connect> pending_;
  std::unordered_map<server::session_id, std::string> outgoing_;  // requester -> name key of its CONNECT in flight
  std::unordered_map<std::string, std::shared_ptr<remote_peer>> remote_peers_;  // "<node> <sid>"
  std::unordered_map<server::session_id, std::shared_ptr<remote_peer>> remote_peers_by_id_;
  server::session_id next_remote_peer_ = first_remote_id;
  std::uint64_t last_request_ = 0;
  std::unique_ptr<asio::steady_timer> timer_;
  std::set<std::string> live_nodes_;  // as last read, without this node
  bool swept_once_ = false;
  std::set<std::string> unswept_;  // gone nodes whose names a failed sweep left

  // Frames posted to the strand and not yet handled: bounds what other nodes can make this one hold.
  std::mutex inflight_mutex_;
  std::condition_variable inflight_changed_;
  std::size_t inflight_ = 0;
  bool stopping_ = false;  // guarded by inflight_mutex_

  // Last: destroyed first, so no job and no renewal outlives the name service.
  blocking_worker worker_;
  lease lease_;
};

// Cluster mode's plug for the core (server_config::join_cluster): joins the node to the
// cluster `config` names, counting into `stats`, which must outlive the server.
server::cluster_joiner joiner(cluster_config config, cluster_stats& stats);

}  // namespace chat::cluster
