// GCC 12 at -O2 (and with ASan) sees Asio's coroutine frame allocation (aligned_alloc inside
// the frame's operator new) next to the frame's operator delete (free inside) and reports a
// false -Wmismatched-new-delete for some coroutines. Wrap each such coroutine's definition in
// CHAT_FRAME_ALLOCATION_WARNING_OFF ... CHAT_FRAME_ALLOCATION_WARNING_ON; other compilers see nothing.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#define CHAT_FRAME_ALLOCATION_WARNING_OFF \
  _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wmismatched-new-delete\"")
#define CHAT_FRAME_ALLOCATION_WARNING_ON _Pragma("GCC diagnostic pop")
#else
#define CHAT_FRAME_ALLOCATION_WARNING_OFF
#define CHAT_FRAME_ALLOCATION_WARNING_ON
#endif
