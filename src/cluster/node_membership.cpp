// cluster_node, membership: what follows from the leases (docs/cluster.md, Leases). This node's
// lease lost ends its cross-node chats; regained, its users' names are claimed again. Another
// node gone ends its chats and frees its names; once at start, names of nodes gone before this
// one started are freed.
#include <spdlog/spdlog.h>

#include "cluster/name_claim.hpp"
#include "cluster/node.hpp"
#include "cluster/node_post.hpp"
#include "server/router.hpp"

namespace chat::cluster {

lease::listener cluster_node::lease_listener() {
  return {[this] { lease_lost(); }, [this] { lease_regained(); },
          [this](const std::set<std::string>& alive) { nodes_alive(alive); }};
}

void cluster_node::lease_lost() {
  // Other nodes count this one dead by now: its chats with them are over, its names may be taken.
  spdlog::error("cluster: cannot renew this node's lease for {} ms: ending cross-node chats, refusing REGISTER",
                config_.lease.count());
  end_remote_peers_of("", "this node lost its lease");
}

void cluster_node::lease_regained() {
  spdlog::warn("cluster: this node's lease is renewed again; claiming {} names again", claims_.size());
  reclaim_names();
}

void cluster_node::nodes_alive(const std::set<std::string>& alive) {
  std::set<std::string> dead;
  for (const auto& node : live_nodes_) {
    if (alive.contains(node)) continue;
    dead.insert(node);
    spdlog::warn("cluster: node {} is gone (lease expired): ending its chats, freeing its names", node);
    end_remote_peers_of(node, "its node is gone");
  }
  live_nodes_ = alive;
  // Sweeps that failed (the store did not answer) are tried again, for nodes still gone.
  for (const auto& node : unswept_) {
    if (!alive.contains(node)) dead.insert(node);
  }
  unswept_.clear();
  if (!dead.empty()) sweep_names(std::move(dead));
  if (!swept_once_) {
    swept_once_ = true;
    sweep_stale_names();
  }
}

void cluster_node::sweep_names(std::set<std::string> dead) {
  worker_.submit([this, dead = std::move(dead)] {
    try {
      std::size_t freed = 0;
      for (const auto& e : names_->list()) {
        const auto holder = parse_claim_value(e.value);
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
        const auto holder = parse_claim_value(e.value);
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

}  // namespace chat::cluster
