// This node's lease in NATS (docs/cluster.md, Leases), with the thread that keeps it:
// the thread renews the lease twice a second and follows every node's renewals through
// one watch; each round it posts what it found to the router's strand, where the lease
// decides and tells its owner, through the callbacks the owner gave it:
// - lost:     the lease ran out (other nodes may count this node dead and free its names);
// - regained: a renewal worked again after that;
// - alive:    the other nodes that renewed within the lease, while the watch is known to be
//             current (this node's own renewals show in it) and the lease is held.
// The lease runs out `lease` after the start of the last renewal the store took. A renewal
// may block for seconds, so the owner's tick calls check() on the strand: the lease runs
// out there, not when the blocked renewal gives up.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "cluster/name_service.hpp"

namespace chat::cluster {

class lease {
 public:
  using clock = std::chrono::steady_clock;
  // Runs a job on the router's strand, or drops it once the lease's owner is gone.
  using strand_post = std::function<void(std::function<void()>)>;
  // Called on the router's strand, in this order within one round: lost, regained, alive.
  struct listener {
    std::function<void()> lost;
    std::function<void()> regained;
    std::function<void(const std::set<std::string>&)> alive;
  };

  // Takes the lease of node `self` (blocking: before any name is claimed, so a sweep never
  // takes this node's names for a dead node's). Retried for up to 15 s: right after the
  // buckets are made (by this node or one starting beside it) their streams may still be
  // electing leaders. Throws std::runtime_error when the lease cannot be taken.
  // `names` must outlive the lease.
  lease(name_service& names, std::string self, std::chrono::milliseconds duration, strand_post post, listener tell);
  // Stops the thread and joins it.
  ~lease();
  lease(const lease&) = delete;
  lease& operator=(const lease&) = delete;

  // Starts the renewing thread.
  void start();
  // Thread-safe, never waits: the thread ends at its next round.
  void stop();

  // Router strand only.
  void check();
  bool lost() const { return lost_; }

 private:
  using renewal = std::optional<std::pair<clock::time_point, clock::time_point>>;

  // The thread: renews, reads the watch, posts each round.
  void run();
  // Router strand. `renewed`: when this node's renewal started and finished, if the store took it.
  void round(renewal renewed, const std::optional<std::set<std::string>>& alive);
  void lose();

  name_service& names_;
  const std::string self_;
  const std::chrono::milliseconds duration_;
  strand_post post_;
  listener tell_;

  // Router strand only.
  clock::time_point renewed_at_ = clock::now();  // start of the last renewal the store took
  bool lost_ = false;

  std::mutex mutex_;
  std::condition_variable changed_;
  bool stop_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace chat::cluster
