// Connection timeouts without a scan of every connection. The router used to
// visit every session several times a second to compare its last activity with
// --idle-timeout; at 19,000 connections that is work for all of them, all the
// time. Instead each session has entries in a min-heap ordered by when its
// timeout could first fall due, and the router looks only at the entries that
// are due. An idle entry that finds the session active since is put back at the
// session's new deadline, so an active session costs one heap operation per
// --idle-timeout, not one per tick (the lazy re-check of a timer wheel's or
// Redis's clientsCron's kind, with an ordered structure instead of slices).
//
// Entries of sessions that left are not searched for: they are skipped when they
// fall due, and compact() drops them in one pass when they outnumber the live ones.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "server/peer.hpp"

namespace chat::server {

class deadline_queue {
 public:
  using clock = std::chrono::steady_clock;
  enum class kind : std::uint8_t {
    idle,          // --idle-timeout after the last complete line
    registration,  // --register-timeout after connecting, unless registered by then
  };
  struct entry {
    clock::time_point at;
    session_id id = 0;
    kind what = kind::idle;
  };

  // O(log n).
  void add(const entry& e);
  // Removes and returns the earliest entry whose time is at or before `now`;
  // nullopt when none is due. O(log n).
  std::optional<entry> pop_due(clock::time_point now);
  // Drops every entry for which `live(id)` is false, when there are more than
  // twice `live_entries` + 1,024 entries (so the pass is amortised over as many
  // leaves). Returns whether it ran. O(n).
  bool compact(std::size_t live_entries, const std::function<bool(session_id)>& live);
  std::size_t size() const { return heap_.size(); }
  // The earliest entry's time, if any.
  std::optional<clock::time_point> next() const;

 private:
  std::vector<entry> heap_;
};

}  // namespace chat::server
