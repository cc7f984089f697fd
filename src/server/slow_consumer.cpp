#include "server/slow_consumer.hpp"

namespace chat::server {

output_verdict slow_consumer_verdict(std::size_t queued, std::chrono::steady_clock::duration over_soft_for,
                                     const output_limits& limits) {
  if (queued > limits.hard_bytes) return output_verdict::cut;
  const bool soft_enabled = limits.soft_bytes > 0;
  if (soft_enabled && queued > limits.soft_bytes && over_soft_for >= limits.soft_duration) return output_verdict::cut;
  return output_verdict::keep;
}

}  // namespace chat::server
