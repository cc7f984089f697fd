// The load generator: opens the connections, registers and pairs them, drives
// the workload, checks every delivery and measures. Clients are coroutines on a
// pool of single-threaded io_contexts (one per --threads); both ends of a pair
// live on the same one, so a message's receipt and its partner's next send
// touch only that thread's state, with no locks and no hand-offs.
#pragma once

#include <functional>

#include "bench/config.hpp"

namespace chat::bench {

// Seams for tests that need to place one thread at an exact point relative to another.
// All empty in chat-bench itself.
struct run_hooks {
  // On a worker's thread, once per message: it has been decided (the sending phase was on)
  // and is about to be counted as sent.
  std::function<void()> counting_message;
  // On the coordinating thread: the measured phase is over and it now waits for the workers
  // to stop sending.
  std::function<void()> stopping_senders;
  // On the coordinating thread: the drain is over (everything arrived, or the timeout passed).
  std::function<void()> drained;
  // On the coordinating thread, --interval: an interval has been closed (chat-bench prints it).
  std::function<void(const interval_figures&)> interval_closed;
};

// Runs one benchmark with a validated configuration (see validate()). Never
// throws for network trouble: a fatal problem is in result.error.
bench_result run(const bench_config& config, const run_hooks& hooks = {});

}  // namespace chat::bench
