// The session's read buffer (see the class comment).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace chat {

// A read buffer held only while a wake-up's bytes are processed. Blocks come from
// a small per-thread cache rather than malloc: a busy session wakes up thousands
// of times a second (a 16 KiB malloc/free per wake-up was 14 % of the server's
// profile), while an idle session holds none.
class read_buffer {
 public:
  // Reading more than this per wake-up would only delay the other sessions on the strand's thread.
  static constexpr std::size_t size = 16 * 1024;

  read_buffer() : block_(take()) {}
  ~read_buffer() {
    if (block_) give_back(std::move(block_));
  }
  read_buffer(read_buffer&&) noexcept = default;
  read_buffer& operator=(read_buffer&&) = delete;
  char* data() { return block_.get(); }

 private:
  using block = std::unique_ptr<char[]>;
  static constexpr std::size_t cached_per_thread = 16;

  static std::vector<block>& cache() {
    thread_local std::vector<block> blocks;
    return blocks;
  }
  static block take() {
    auto& blocks = cache();
    if (blocks.empty()) return block(new char[size]);
    auto b = std::move(blocks.back());
    blocks.pop_back();
    return b;
  }
  // The coroutine may have moved to another thread: the block joins that thread's cache.
  static void give_back(block b) {
    auto& blocks = cache();
    if (blocks.size() < cached_per_thread) blocks.push_back(std::move(b));
  }

  block block_;
};

}  // namespace chat
