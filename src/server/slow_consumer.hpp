// The slow-consumer policy, in one place: when a client's send queue has grown
// so far that the server stops serving it. Like Redis's
// checkClientOutputBufferLimits (src/networking.c), it is a pure verdict over
// the queue's size and how long it has been above a soft limit, so it is
// unit-tested without sockets and applied in one function (outbox::admit).
//
// Decided against NATS's stall (holding back the sender's reader while the
// receiver's queue is above ~75 %): in a 1:1 chat a stalled reader also stops
// reading its own control commands and keepalive PINGs, so a receiver that
// never reads would freeze its partner instead of being cut; the hard cut keeps
// the cost bounded and the partner is told DISCONNECTED at once.
#pragma once

#include <chrono>
#include <cstddef>

#include "server/server_defaults.hpp"

namespace chat::server {

struct output_limits {
  // Bytes queued for one client past which it is cut at once (--max-queue).
  std::size_t hard_bytes = defaults::max_queue;
  // Bytes above which a client may stay only for soft_duration (0: no soft limit).
  std::size_t soft_bytes = 0;
  std::chrono::milliseconds soft_duration{0};
  // SO_SNDBUF of every client socket, in bytes (--send-buffer; 0 leaves Linux's
  // autotuning on). Linux books twice the value, so the kernel holds less than
  // 2 x this of a client's unsent bytes, and a client that never reads costs the
  // server at most hard_bytes + 2 x kernel_send_buffer. Autotuned, the kernel
  // grows a fast connection's buffer to tcp_wmem's maximum (4 MiB by default)
  // whatever hard_bytes says: 3.87 MB were measured unsent in the
  // kernel beside a queue that was below --max-queue.
  std::size_t kernel_send_buffer = defaults::send_buffer;
};

enum class output_verdict {
  keep,  // queue the bytes
  cut,   // a slow consumer: drop the bytes and end the connection
};

// `queued`: bytes the client would have queued with the new line (bytes);
// `over_soft_for`: how long the queue has been above limits.soft_bytes without
// a break (zero if it is not above it now).
output_verdict slow_consumer_verdict(std::size_t queued, std::chrono::steady_clock::duration over_soft_for,
                                     const output_limits& limits);

}  // namespace chat::server
