#include "chat/chunk.hpp"

#include <mutex>
#include <new>

namespace chat {
namespace {

// A thread keeps up to this many chunks (256 KiB); a busy thread moves half of a
// full cache to the shared list, where threads that only produce take them back.
constexpr std::size_t thread_cache_bound = 64;
// The shared list keeps at most this many (4 MiB) before freeing.
constexpr std::size_t shared_bound = 1024;

struct chain {
  chunk* head = nullptr;
  std::size_t count = 0;

  void push(chunk* c) {
    c->next = head;
    head = c;
    ++count;
  }
  chunk* pop() {
    auto* c = head;
    head = c->next;
    --count;
    return c;
  }
};

struct shared_list {
  std::mutex mutex;
  chain chunks;
};

shared_list& shared() {
  static shared_list list;
  return list;
}

struct thread_cache {
  chain chunks;
  ~thread_cache() {
    while (chunks.count > 0) delete chunks.pop();
  }
};

thread_cache& cache() {
  thread_local thread_cache c;
  return c;
}

}  // namespace

chunk* take_chunk() {
  auto& local = cache().chunks;
  if (local.count == 0) {
    auto& s = shared();
    std::lock_guard lock(s.mutex);
    // Take a batch at once: one lock for many chunks.
    while (s.chunks.count > 0 && local.count < thread_cache_bound / 2) local.push(s.chunks.pop());
  }
  chunk* c = local.count > 0 ? local.pop() : new chunk;
  c->next = nullptr;
  c->size = 0;
  return c;
}

void give_back_chunks(chunk* list) {
  auto& local = cache().chunks;
  while (list != nullptr) {
    auto* next = list->next;
    local.push(list);
    list = next;
  }
  if (local.count <= thread_cache_bound) return;
  auto& s = shared();
  std::lock_guard lock(s.mutex);
  while (local.count > thread_cache_bound / 2) {
    auto* c = local.pop();
    if (s.chunks.count < shared_bound) {
      s.chunks.push(c);
    } else {
      delete c;
    }
  }
}

}  // namespace chat
