#include "server/chunk.hpp"

#include "chat/block_pool.hpp"

namespace chat::server {

using chunk_pool = block_pool<sizeof(chunk)>;

chunk* take_chunk() {
  return new (chunk_pool::take()) chunk;
}

void give_back_chunks(chunk* list) {
  while (list != nullptr) {
    auto* next = list->next;
    list->~chunk();
    chunk_pool::give_back(list);
    list = next;
  }
}

chunk_buffers::chunk_buffers(const chunk* head, std::size_t skip) : head_(head), offset_(skip) {
  while (head_ != nullptr && offset_ >= head_->size) {
    offset_ -= head_->size;
    head_ = head_->next;
  }
}

}  // namespace chat::server
