// Many clients at once, silent clients, and a client that never reads.
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "test_client.hpp"

using chat::test::open_chat;
using chat::test::running_server;
using chat::test::test_client;

TEST_CASE("200 pairs x 200 messages at once: every message exactly once and in order") {
  running_server server;
  constexpr int pairs = 200;
  constexpr int messages = 200;
  std::vector<test_client> left, right;
  for (int p = 0; p < pairs; ++p) {
    left.emplace_back(server.port());
    right.emplace_back(server.port());
    left.back().register_as("L" + std::to_string(p));
    right.back().register_as("R" + std::to_string(p));
  }
  for (int p = 0; p < pairs; ++p) {
    REQUIRE(left[p].ask("CONNECT R" + std::to_string(p)) == "OK CONNECTED R" + std::to_string(p));
    REQUIRE(right[p].line() == "CONNECTED L" + std::to_string(p));
  }
  // Every client sends its whole burst before anyone reads: the server must interleave 80,000 messages.
  for (int p = 0; p < pairs; ++p) {
    std::string l, r;
    for (int i = 0; i < messages; ++i) {
      l += "MSG " + std::to_string(p) + ":" + std::to_string(i) + "\n";
      r += "MSG " + std::to_string(i) + "<-" + std::to_string(p) + "\n";
    }
    left[p].send(l);
    right[p].send(r);
  }
  for (int p = 0; p < pairs; ++p) {
    const auto name_l = "L" + std::to_string(p);
    const auto name_r = "R" + std::to_string(p);
    for (int i = 0; i < messages; ++i) {
      REQUIRE(right[p].line() == "MSG " + name_l + " " + std::to_string(p) + ":" + std::to_string(i));
      REQUIRE(left[p].line() == "MSG " + name_r + " " + std::to_string(i) + "<-" + std::to_string(p));
    }
    // Nothing more than the messages: a PING is answered next.
    REQUIRE(left[p].ask("PING end") == "PONG end");
  }
  CHECK(server.get().stats().messages_relayed.load() == 2u * pairs * messages);
  CHECK(server.stop());  // graceful: every session ended within the shutdown timeout
}

TEST_CASE("50 silent connections and 50 half-sent lines do not hold anyone up") {
  running_server server;
  std::vector<test_client> silent;
  for (int i = 0; i < 50; ++i) silent.emplace_back(server.port());
  for (int i = 0; i < 50; ++i) {
    silent.emplace_back(server.port());
    silent.back().send("REGISTER half");
  }
  test_client noy(server.port()), elias(server.port());
  open_chat(noy, "Noy", elias, "Elias");
  for (int i = 0; i < 500; ++i) {
    noy.send("MSG ping " + std::to_string(i) + "\n");
    REQUIRE(elias.line() == "MSG Noy ping " + std::to_string(i));
    elias.send("MSG pong " + std::to_string(i) + "\n");
    REQUIRE(noy.line() == "MSG Elias pong " + std::to_string(i));
  }
  CHECK(server.get().live_sessions() == 102);
}

TEST_CASE("a client that never reads is cut off as a slow consumer - other pairs and memory unaffected") {
  chat::server::server_config config;
  config.output.hard_bytes = 256 * 1024;
  running_server server(config);
  test_client flooder(server.port()), sink(server.port());
  flooder.register_as("Flooder");
  sink.register_as("Sink");
  // The sink never reads from here on; shrink its receive buffer so the server's queue fills sooner.
  const int small = 4096;
  ::setsockopt(sink.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  REQUIRE(flooder.ask("CONNECT Sink") == "OK CONNECTED Sink");
  test_client noy(server.port()), elias(server.port());
  open_chat(noy, "Noy", elias, "Elias");
  const auto before = chat::test::resident_bytes();

  // The flooder writes 1 KiB messages from its own thread until the server tells it its partner is gone.
  std::atomic<bool> told{false};
  chat::test::flood_result flooded;
  std::thread flood([&] {
    flooded = chat::test::flood_until_cut(flooder, "Sink", 1024);
    told = flooded.told;
  });

  // Meanwhile the other pair keeps talking, round trip after round trip.
  auto worst = std::chrono::steady_clock::duration::zero();
  for (int i = 0; i < 200 && !told; ++i) {
    const auto start = std::chrono::steady_clock::now();
    noy.send("MSG rt " + std::to_string(i) + "\n");
    REQUIRE(elias.line() == "MSG Noy rt " + std::to_string(i));
    worst = std::max(worst, std::chrono::steady_clock::now() - start);
  }
  flood.join();
  REQUIRE(flooded.told);
  CHECK(server.get().stats().slow_consumers.load() == 1);
  CHECK(sink.closed_by_server());
  // The flooder's session stays usable: MSGs still in flight were answered NOT_IN_CHAT, then the PING.
  REQUIRE(flooded.answered);
  CHECK(flooded.refused < 1'000'000);
  CHECK(noy.ask("WHO") == "OK WHO 3 Elias Flooder Noy");
  const auto grown = chat::test::resident_bytes() - std::min(before, chat::test::resident_bytes());
  INFO("flooder sent " << flooded.sent << " bytes; server RSS grew by " << grown << "; worst round trip "
                       << std::chrono::duration_cast<std::chrono::milliseconds>(worst).count() << " ms");
  if (chat::test::memory_is_measurable) CHECK(grown < 16u << 20);
  // Generous: a loaded 2-core machine, but nowhere near a stall behind the flood.
  CHECK(worst < std::chrono::seconds(5));
  CHECK(server.stop());
}

TEST_CASE("a client far ahead of reading its replies is paused by TCP, not cut as a slow consumer") {
  chat::server::server_config config;
  config.output.hard_bytes = 64 * 1024;
  // The pinger never registers, and 100,000 round trips through a 4 KiB receive buffer outlast the
  // default REGISTER timeout under ASan (34 s in CI): the timeout is not what this test is about.
  config.register_timeout = std::chrono::minutes(10);
  running_server server(config);
  test_client pinger(server.port());
  const int small = 4096;  // the kernel must not absorb the replies
  ::setsockopt(pinger.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  constexpr int count = 100'000;  // ~1.5 MB of PONGs against a 64 KiB queue
  std::atomic<bool> sent_all{false};
  std::thread sender([&] {
    std::string burst;
    for (int i = 0; i < count; ++i) burst += "PING t" + std::to_string(i) + "\n";
    sent_all = pinger.send_bytes(burst);
  });
  // The event: the server stopped reading the client because of its replies.
  chat::test::wait_until([&] { return server.get().stats().reply_backlogs.load() > 0; }, std::chrono::seconds(60));
  REQUIRE(server.get().stats().reply_backlogs.load() > 0);
  for (int i = 0; i < count; ++i) REQUIRE(pinger.line() == "PONG t" + std::to_string(i));
  sender.join();
  CHECK(sent_all);
  CHECK(server.get().stats().slow_consumers.load() == 0);
}
