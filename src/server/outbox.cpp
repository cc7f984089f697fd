#include "server/outbox.hpp"

#include <algorithm>
#include <cstring>

namespace chat::server {

outbox::~outbox() {
  give_back_chunks(head_);
  if (stats_ != nullptr) stats_->queued_bytes.fetch_sub(queued_);
}

bool outbox::admit(std::size_t adding) {
  const auto after = queued_ + adding;
  clock::duration over_soft_for{};
  if (limits_.soft_bytes > 0 && after > limits_.soft_bytes) {
    const auto now = clock::now();
    if (over_soft_since_ == clock::time_point{}) over_soft_since_ = now;
    over_soft_for = now - over_soft_since_;
  } else {
    over_soft_since_ = {};
  }
  if (slow_consumer_verdict(after, over_soft_for, limits_) == output_verdict::keep) return true;
  ended_ = true;
  return false;
}

void outbox::count_queued(std::size_t size) {
  if (stats_ == nullptr) return;
  // One clock read per batch, not per line: only the first bytes into an empty queue start its wait.
  if (pending_ == 0 && stats_->time_outbox_waits) first_queued_ = clock::now();
  stats_->queued_bytes.fetch_add(size);
}

void outbox::append(std::string_view bytes) {
  while (!bytes.empty()) {
    if (tail_ == nullptr || tail_->room() == 0) {
      auto* c = take_chunk();
      if (tail_ == nullptr) {
        head_ = c;
      } else {
        tail_->next = c;
      }
      tail_ = c;
    }
    const auto n = std::min(bytes.size(), tail_->room());
    std::memcpy(tail_->data + tail_->size, bytes.data(), n);
    tail_->size += static_cast<std::uint32_t>(n);
    bytes.remove_prefix(n);
  }
}

outbox::push_result outbox::queue(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (auto p : parts) size += p.size();
  if (!admit(size)) return push_result::slow_consumer;
  count_queued(size);
  for (auto p : parts) append(p);
  pending_ += size;
  queued_ += size;
  if (writing_) return push_result::queued;
  writing_ = true;
  return push_result::queued_start;
}

outbox::push_result outbox::push(std::string_view line) {
  std::lock_guard lock(mutex_);
  if (ended_) return push_result::ended;
  return queue({line});
}

outbox::push_result outbox::push_msg(chat_id chat, std::string_view sender, std::string_view text) {
  std::lock_guard lock(mutex_);
  if (ended_) return push_result::ended;
  if (chat == 0 || chat != accepted_chat_) return push_result::not_in_chat;
  return queue({"MSG ", sender, " ", text, "\n"});
}

outbox::push_result outbox::push_last(std::string_view line) {
  std::lock_guard lock(mutex_);
  if (ended_) return push_result::ended;
  count_queued(line.size());
  append(line);
  pending_ += line.size();
  queued_ += line.size();
  ended_ = last_queued_ = true;
  if (writing_) return push_result::queued;
  writing_ = true;
  return push_result::queued_start;
}

void outbox::accept_chat(chat_id chat) {
  std::lock_guard lock(mutex_);
  accepted_chat_ = chat;
}

void outbox::refuse_chats() {
  std::lock_guard lock(mutex_);
  accepted_chat_ = 0;
}

bool outbox::take(batch& out) {
  std::lock_guard lock(mutex_);
  if (pending_ == 0 && !last_queued_) {
    writing_ = false;
    give_back_chunks(head_);  // an empty chunk may be left by an empty last line
    head_ = tail_ = nullptr;
    return false;
  }
  out.head = head_;
  out.bytes = pending_;
  out.last = last_queued_;
  out.queued_at = first_queued_;
  head_ = tail_ = nullptr;
  pending_ = 0;
  last_queued_ = false;
  return true;
}

void outbox::written(batch& done) {
  give_back_chunks(done.head);
  done.head = nullptr;
  std::lock_guard lock(mutex_);
  queued_ -= done.bytes;
  if (stats_ != nullptr) stats_->queued_bytes.fetch_sub(done.bytes);
  if (queued_ <= limits_.soft_bytes) over_soft_since_ = {};
}

void outbox::abandon() {
  std::lock_guard lock(mutex_);
  ended_ = true;
  give_back_chunks(head_);
  head_ = tail_ = nullptr;
  queued_ -= pending_;
  if (stats_ != nullptr) stats_->queued_bytes.fetch_sub(pending_);
  pending_ = 0;
}

std::size_t outbox::queued_bytes() const {
  std::lock_guard lock(mutex_);
  return queued_;
}

}  // namespace chat::server
