#include "chat/outbox.hpp"

namespace chat {

outbox::push_result outbox::add(std::string line, bool last) {
  std::lock_guard lock(mutex_);
  if (ended_) return push_result::ended;
  if (!last && queued_ + line.size() > max_bytes_) return push_result::full;
  queued_ += line.size();
  lines_.push_back(std::move(line));
  if (last) ended_ = last_queued_ = true;
  if (writing_) return push_result::queued;
  writing_ = true;
  return push_result::queued_start;
}

bool outbox::take(std::vector<std::string>& batch, bool& last) {
  std::lock_guard lock(mutex_);
  if (lines_.empty()) {
    writing_ = false;
    std::vector<std::string>().swap(lines_);  // an idle session keeps no buffer
    return false;
  }
  batch.swap(lines_);
  last = last_queued_;
  last_queued_ = false;
  return true;
}

void outbox::written(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  queued_ -= bytes;
}

void outbox::abandon() {
  std::lock_guard lock(mutex_);
  ended_ = true;
  lines_.clear();
  queued_ = 0;
}

std::size_t outbox::queued_bytes() const {
  std::lock_guard lock(mutex_);
  return queued_;
}

}  // namespace chat
