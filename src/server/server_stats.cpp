#include "server/server_stats.hpp"

#include <fmt/format.h>

namespace chat::server {

std::string server_stats::summary(std::size_t connections) const {
  constexpr auto r = std::memory_order_relaxed;
  return fmt::format(
      "connections={} registered={} chats={} relayed={} bytes_in={} bytes_out={} slow_consumers={} "
      "rate_limited={} reply_backlogs={} timeouts={} turned_away={} tls_handshake_failures={} errors={}",
      connections, registered.load(r), active_chats.load(r), messages_relayed.load(r), bytes_in.load(r),
      bytes_out.load(r), slow_consumers.load(r), rate_limited.load(r), reply_backlogs.load(r), timeouts.load(),
      turned_away.load(), tls_handshake_failures.load(r), errors.load());
}

}  // namespace chat::server
