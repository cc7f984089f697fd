// The unit of a send queue: a fixed 4 KiB block of bytes, chained into a list.
// A queue appends lines across chunk boundaries (a TCP stream has no message
// boundaries to keep) and the writer hands the chain to one gathered write.
// Chunks come from a per-thread cache, so relaying in steady state calls
// malloc only when a thread's cache runs dry.
#pragma once

#include <cstddef>
#include <cstdint>

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

}  // namespace chat::server
