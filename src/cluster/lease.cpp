#include "cluster/lease.hpp"

#include <cstdint>
#include <map>
#include <stdexcept>

namespace chat::cluster {
namespace {

// Leases are renewed and read this often (a dead node is noticed within lease + this).
constexpr auto lease_interval = std::chrono::milliseconds(500);

}  // namespace

lease::lease(name_service& names, std::string self, std::chrono::milliseconds duration, strand_post post, listener tell)
    : names_(names), self_(std::move(self)), duration_(duration), post_(std::move(post)), tell_(std::move(tell)) {
  const auto deadline = clock::now() + std::chrono::seconds(15);
  while (!names_.renew(self_)) {
    if (clock::now() > deadline) throw std::runtime_error("cannot take this node's lease in NATS");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

lease::~lease() {
  stop();
  if (thread_.joinable()) thread_.join();
}

void lease::start() {
  thread_ = std::thread([this] { run(); });
}

void lease::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
}

void lease::run() {
  using std::chrono::nanoseconds;
  std::map<std::string, std::int64_t> seen;  // node -> server time of its last renewal (ns)
  auto next_renew = clock::now();
  auto own_seen_at = clock::now();  // when the watch last showed this node's own renewal as fresh
  bool healthy = false;
  const auto lease_ns = std::chrono::duration_cast<nanoseconds>(duration_).count();
  while (true) {
    {
      std::unique_lock lock(mutex_);
      if (stop_) return;
      if (!healthy) changed_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stop_; });
      if (stop_) return;
    }
    if (clock::now() >= next_renew) {
      const auto renew_started = clock::now();
      next_renew = renew_started + lease_interval;
      const bool renewed = names_.renew(self_);
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
      } else if (renewed && clock::now() - own_seen_at > duration_ / 2) {
        // The store takes our renewals but the watch does not show them: make it again.
        names_.reset_lease_watch();
        own_seen_at = clock::now();
      }
      // The owner's post drops the job once the owner, and with it this lease, is gone.
      post_([this, renewed, renew_started, renew_finished, alive = std::move(alive)] {
        round(renewed ? renewal{std::pair{renew_started, renew_finished}} : std::nullopt, alive);
      });
    }
    healthy = names_.poll_leases(seen, std::chrono::milliseconds(100));
  }
}

void lease::round(renewal renewed, const std::optional<std::set<std::string>>& alive) {
  if (renewed) {
    // The store stamps a renewal somewhere between its start and its end. Renewals stamped
    // more than a lease apart may have let another node count this one dead and free its
    // names, although this node never saw a renewal fail (one blocked for seconds).
    if (!lost_ && renewed->second - renewed_at_ > duration_) lose();
    renewed_at_ = renewed->first;
    if (lost_) {
      lost_ = false;
      tell_.regained();
    }
  } else {
    check();
  }
  if (alive && !lost_) tell_.alive(*alive);
}

void lease::check() {
  if (!lost_ && clock::now() - renewed_at_ > duration_) lose();
}

void lease::lose() {
  lost_ = true;
  tell_.lost();
}

}  // namespace chat::cluster
