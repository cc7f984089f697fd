// The load generator: opens the connections, registers and pairs them, drives
// the workload, checks every delivery and measures. Clients are coroutines on a
// pool of single-threaded io_contexts (one per --threads); both ends of a pair
// live on the same one, so a message's receipt and its partner's next send
// touch only that thread's state, with no locks and no hand-offs.
#pragma once

#include "chat/bench/config.hpp"

namespace chat::bench {

// Runs one benchmark with a validated configuration (see validate()). Never
// throws for network trouble: a fatal problem is in result.error.
bench_result run(const bench_config& config);

}  // namespace chat::bench
