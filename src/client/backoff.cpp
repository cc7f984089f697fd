#include "client/backoff.hpp"

#include <algorithm>

namespace chat::client {

std::chrono::milliseconds backoff_delay(int attempt, double jitter) {
  auto step = backoff_first;
  for (int i = 0; i < attempt && step < backoff_cap; ++i) step *= 2;
  step = std::min(step, backoff_cap);
  const double scale = 0.5 + 0.5 * std::clamp(jitter, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long>(static_cast<double>(step.count()) * scale));
}

}  // namespace chat::client
