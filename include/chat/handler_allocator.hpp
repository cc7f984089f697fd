// An allocator for the memory of the relay's hot asynchronous operations (the
// readiness wait, the gathered write, the posted start of a writer). Asio
// would take it from a per-thread cache of 2 blocks (16 here, see
// CMakeLists.txt) shared by every kind of operation, which misses whenever
// sizes mix: about 90 mallocs per 1,000 relayed messages. Bound to a handler
// with asio::bind_allocator, the operation's memory comes from size-classed
// block pools instead.
#pragma once

#include <cstddef>
#include <new>

#include "chat/block_pool.hpp"

namespace chat {

namespace detail {
void* handler_allocate(std::size_t bytes);
void handler_deallocate(void* pointer, std::size_t bytes);
}  // namespace detail

template <typename T>
struct handler_allocator {
  using value_type = T;

  handler_allocator() = default;
  template <typename U>
  handler_allocator(const handler_allocator<U>&) noexcept {}

  T* allocate(std::size_t n) { return static_cast<T*>(detail::handler_allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { detail::handler_deallocate(p, n * sizeof(T)); }

  template <typename U>
  bool operator==(const handler_allocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace chat
