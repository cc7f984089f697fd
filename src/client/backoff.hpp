// How long a reconnecting client waits before its next try: exponential backoff,
// bounded, with jitter, so that the clients of a restarted server do not all come
// back in the same instant (the "equal jitter" of the AWS Architecture Blog's
// "Exponential Backoff And Jitter", 2015).
#pragma once

#include <chrono>

namespace chat::client {

inline constexpr std::chrono::milliseconds backoff_first{500};
inline constexpr std::chrono::milliseconds backoff_cap{30'000};

// The wait before try `attempt` (0 = the first): backoff_first doubled per
// attempt up to backoff_cap, of which the upper half is scaled by `jitter`
// (0 to 1, uniform): between half the step and the whole step.
std::chrono::milliseconds backoff_delay(int attempt, double jitter);

}  // namespace chat::client
