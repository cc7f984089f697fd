#include "server/deadline_queue.hpp"

#include <algorithm>

namespace chat::server {
namespace {

// std::push_heap builds a max-heap: "later" as "less" puts the earliest on top.
bool later(const deadline_queue::entry& a, const deadline_queue::entry& b) {
  return a.at > b.at;
}

}  // namespace

void deadline_queue::add(const entry& e) {
  heap_.push_back(e);
  std::push_heap(heap_.begin(), heap_.end(), later);
}

std::optional<deadline_queue::entry> deadline_queue::pop_due(clock::time_point now) {
  if (heap_.empty() || heap_.front().at > now) return std::nullopt;
  std::pop_heap(heap_.begin(), heap_.end(), later);
  const auto due = heap_.back();
  heap_.pop_back();
  return due;
}

bool deadline_queue::compact(std::size_t live_entries, const std::function<bool(session_id)>& live) {
  if (heap_.size() <= 2 * live_entries + 1024) return false;
  std::erase_if(heap_, [&](const entry& e) { return !live(e.id); });
  std::make_heap(heap_.begin(), heap_.end(), later);
  return true;
}

std::optional<deadline_queue::clock::time_point> deadline_queue::next() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.front().at;
}

}  // namespace chat::server
