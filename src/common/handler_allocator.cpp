#include "chat/handler_allocator.hpp"

namespace chat::detail {

// Size classes; an operation bigger than the largest goes to the allocator.
void* handler_allocate(std::size_t bytes) {
  if (bytes <= 128) return block_pool<128>::take();
  if (bytes <= 256) return block_pool<256>::take();
  if (bytes <= 512) return block_pool<512>::take();
  return ::operator new(bytes);
}

void handler_deallocate(void* pointer, std::size_t bytes) {
  if (bytes <= 128) return block_pool<128>::give_back(pointer);
  if (bytes <= 256) return block_pool<256>::give_back(pointer);
  if (bytes <= 512) return block_pool<512>::give_back(pointer);
  ::operator delete(pointer);
}

}  // namespace chat::detail
