// Fixed-size memory blocks recycled per thread, for what the relay allocates
// on every message: send-queue chunks and the memory of its asynchronous
// operations. A thread keeps up to `thread_bound` free blocks; past that, half
// go to a shared list (one lock per batch), from which threads that run dry
// take a batch back; past `shared_bound` blocks go back to the allocator.
// Blocks freed on another thread than the one that took them are fine.
#pragma once

#include <cstddef>
#include <mutex>
#include <new>

namespace chat {

template <std::size_t BlockSize, std::size_t thread_bound = 64, std::size_t shared_bound = 1024>
class block_pool {
  static_assert(BlockSize >= sizeof(void*));

 public:
  // A block of BlockSize bytes, aligned for any type.
  static void* take() {
    auto& local = cache().blocks;
    if (local.count == 0) {
      auto& s = shared();
      std::lock_guard lock(s.mutex);
      while (s.blocks.count > 0 && local.count < thread_bound / 2) local.push(s.blocks.pop());
    }
    return local.count > 0 ? local.pop() : ::operator new(BlockSize);
  }

  static void give_back(void* block) {
    auto& local = cache().blocks;
    local.push(block);
    if (local.count <= thread_bound) return;
    auto& s = shared();
    std::lock_guard lock(s.mutex);
    while (local.count > thread_bound / 2) {
      auto* b = local.pop();
      if (s.blocks.count < shared_bound) {
        s.blocks.push(b);
      } else {
        ::operator delete(b);
      }
    }
  }

 private:
  struct free_list {
    struct node {
      node* next;
    };
    node* head = nullptr;
    std::size_t count = 0;

    void push(void* block) {
      head = new (block) node{head};
      ++count;
    }
    void* pop() {
      auto* n = head;
      head = n->next;
      --count;
      return n;
    }
  };
  struct shared_list {
    std::mutex mutex;
    free_list blocks;
  };
  struct thread_cache {
    free_list blocks;
    ~thread_cache() {
      while (blocks.count > 0) ::operator delete(blocks.pop());
    }
  };

  static shared_list& shared() {
    static shared_list list;
    return list;
  }
  static thread_cache& cache() {
    thread_local thread_cache c;
    return c;
  }
};

}  // namespace chat
