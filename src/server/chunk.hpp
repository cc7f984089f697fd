// The unit of a send queue: a fixed 4 KiB block of bytes, chained into a list.
// A queue appends lines across chunk boundaries (a TCP stream has no message
// boundaries to keep) and the writer hands the chain, as chunk_buffers, to one
// gathered write.
// Chunks come from a per-thread cache, so relaying in steady state calls
// malloc only when a thread's cache runs dry.
#pragma once

#include <asio/buffer.hpp>
#include <cstddef>
#include <cstdint>
#include <iterator>

namespace chat::server {

struct chunk {
  static constexpr std::size_t block_size = 4096;
  static constexpr std::size_t capacity = block_size - 16;

  chunk* next = nullptr;
  std::uint32_t size = 0;  // bytes used in data
  char data[capacity];

  std::size_t room() const { return capacity - size; }
};
static_assert(sizeof(chunk) == chunk::block_size);

// Returns an empty chunk, from the calling thread's cache when it has one.
chunk* take_chunk();
// Returns a chain of chunks (linked by `next`, ended by nullptr) to the calling
// thread's cache; past the cache's bound they go to a shared overflow list, and
// past that back to the allocator.
void give_back_chunks(chunk* chain);

// A chain of chunks as an Asio buffer sequence, starting `skip` bytes in, so
// that one gathered write takes a whole batch (or its unwritten rest) without
// building, and allocating, an array of buffers.
class chunk_buffers {
 public:
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = asio::const_buffer;
    using difference_type = std::ptrdiff_t;
    using pointer = const asio::const_buffer*;
    using reference = asio::const_buffer;

    const_iterator() = default;
    const_iterator(const chunk* c, std::size_t offset) : chunk_(c), offset_(offset) {}
    asio::const_buffer operator*() const { return asio::const_buffer(chunk_->data + offset_, chunk_->size - offset_); }
    const_iterator& operator++() {
      chunk_ = chunk_->next;
      offset_ = 0;
      return *this;
    }
    const_iterator operator++(int) {
      auto before = *this;
      ++*this;
      return before;
    }
    bool operator==(const const_iterator&) const = default;

   private:
    const chunk* chunk_ = nullptr;
    std::size_t offset_ = 0;
  };
  using value_type = asio::const_buffer;

  explicit chunk_buffers(const chunk* head, std::size_t skip = 0);
  const_iterator begin() const { return const_iterator(head_, offset_); }
  const_iterator end() const { return const_iterator(); }

 private:
  const chunk* head_;
  std::size_t offset_;
};

}  // namespace chat::server
