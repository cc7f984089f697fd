// What a client that never reads may cost the server, kernel included. --max-queue
// bounds the bytes the server queues itself; below them the kernel's send buffer
// holds more, and Linux grows it (autotuning, up to net.ipv4.tcp_wmem's maximum,
// 4 MiB by default) as a connection's congestion window grows. The server fixes
// the send buffer (--send-buffer), so the bound does not depend on tuning or on
// what the machine relayed before.
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <cstddef>
#include <string>
#include <thread>

#include "test_client.hpp"

using chat::test::open_chat;
using chat::test::running_server;
using chat::test::test_client;

namespace {

// Relays `bytes` of long MSG lines through one pair, window by window, so the
// kernel has had a busy, fast connection to learn from before the slow consumer comes.
void warm_up(std::uint16_t port, std::size_t bytes) {
  test_client a(port), b(port);
  open_chat(a, "WarmA", b, "WarmB");
  const std::string text(4000, 'w');
  const std::string line = "MSG " + text + "\n";
  constexpr int window = 64;  // 256 KB in flight: below --max-queue
  std::string burst;
  for (int i = 0; i < window; ++i) burst += line;
  for (std::size_t relayed = 0; relayed < bytes; relayed += burst.size()) {
    a.send(burst);
    for (int i = 0; i < window; ++i) REQUIRE(b.line() == "MSG WarmA " + text);
  }
}

}  // namespace

TEST_CASE("a client that never reads is cut after a bounded amount, however much the server relayed before") {
  chat::server::server_config config;  // the default --max-queue (1 MiB)
  running_server server(config);
  // 200 MB as the report that found this used; sanitizers make each byte ~20x dearer.
  warm_up(server.port(), chat::test::memory_is_measurable ? 200u << 20 : 20u << 20);

  test_client flooder(server.port()), sink(server.port());
  open_chat(flooder, "Flooder", sink, "Sink");
  const auto relayed_before = server.get().stats().messages_relayed.load();
  constexpr std::size_t line_bytes = 1024;
  chat::test::flood_result flooded;
  std::thread flood([&] { flooded = chat::test::flood_until_cut(flooder, "Sink", line_bytes); });
  flood.join();
  REQUIRE(flooded.told);
  REQUIRE(flooded.answered);
  CHECK(server.get().stats().slow_consumers.load() == 1);

  // What reached the sink's side of the server before the cut: its queue, the
  // server's kernel send buffer, and the sink's own receive buffer (which it never
  // read, so the kernel never grew it).
  const auto relayed = server.get().stats().messages_relayed.load() - relayed_before;
  const std::size_t relayed_line = line_bytes + std::string("Flooder ").size();
  int sink_receive = 0;
  socklen_t size = sizeof sink_receive;
  REQUIRE(::getsockopt(sink.fd(), SOL_SOCKET, SO_RCVBUF, &sink_receive, &size) == 0);
  // The kernel books twice the SO_SNDBUF it is given (payload and overhead), so
  // its payload stays below 2 x --send-buffer; two lines of slack for the one in
  // flight at the cut.
  const std::size_t bound = config.output.hard_bytes + 2 * config.output.kernel_send_buffer +
                            static_cast<std::size_t>(sink_receive) + 2 * relayed_line;
  INFO("relayed " << relayed << " lines of " << relayed_line << " bytes to the sink before it was cut; bound " << bound
                  << " bytes (sink SO_RCVBUF " << sink_receive << ")");
  CHECK(relayed * relayed_line <= bound);
  CHECK(server.stop());
}
