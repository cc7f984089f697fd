// A token bucket: `rate` tokens per second, holding at most `burst`. The reader
// takes one per line; when none is left it stops reading until one returns, so
// TCP pushes back on that client alone and nothing is dropped.
#pragma once

#include <algorithm>
#include <chrono>

namespace chat::server {

class rate_limiter {
 public:
  using clock = std::chrono::steady_clock;

  // rate <= 0 disables the limit.
  rate_limiter(double rate, double burst, clock::time_point now)
      : rate_(rate), burst_(std::max(burst, 1.0)), tokens_(burst_), last_(now) {}

  bool enabled() const { return rate_ > 0; }

  // Takes a token if there is one and returns zero; otherwise returns how long
  // until one is due (nothing is taken then).
  clock::duration take(clock::time_point now) {
    if (!enabled()) return clock::duration::zero();
    const std::chrono::duration<double> elapsed = now - last_;
    last_ = now;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
    if (tokens_ >= 1.0) {
      tokens_ -= 1.0;
      return clock::duration::zero();
    }
    const std::chrono::duration<double> wait((1.0 - tokens_) / rate_);
    return std::max<clock::duration>(std::chrono::duration_cast<clock::duration>(wait), std::chrono::microseconds(1));
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  clock::time_point last_;
};

}  // namespace chat::server
