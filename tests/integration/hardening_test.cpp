// Timeouts, slowloris, message rate and per-address limits, over loopback.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "test_client.hpp"

using chat::test::open_chat;
using chat::test::running_server;
using chat::test::test_client;
using namespace std::chrono_literals;

TEST_CASE("a client that does not REGISTER in time gets BYE REGISTER_TIMEOUT - a registered one stays") {
  chat::server::server_config config;
  config.register_timeout = 300ms;
  running_server server(config);
  test_client lazy(server.port()), quick(server.port());
  quick.register_as("Quick");
  CHECK(lazy.line().starts_with("BYE REGISTER_TIMEOUT "));
  CHECK(lazy.closed_by_server());
  CHECK(quick.ask("PING") == "PONG");
  CHECK(server.get().stats().timeouts.load() == 1);
}

TEST_CASE("an idle client gets BYE IDLE_TIMEOUT and its partner is told") {
  chat::server::server_config config;
  config.idle_timeout = 500ms;
  running_server server(config);
  test_client noy(server.port()), elias(server.port());
  open_chat(noy, "Noy", elias, "Elias");
  // Elias keeps talking; Noy says nothing more and times out first.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  std::string event;
  while (std::chrono::steady_clock::now() < deadline) {
    event = elias.ask("PING keepalive");
    if (event != "PONG keepalive") break;
  }
  CHECK(event == "DISCONNECTED Noy");
  CHECK(noy.line().starts_with("BYE IDLE_TIMEOUT "));
  CHECK(noy.closed_by_server());
}

TEST_CASE("a client trickling a line byte by byte is closed at the idle timeout") {
  chat::server::server_config config;
  config.idle_timeout = 500ms;
  config.register_timeout = 60s;
  running_server server(config);
  // The server's idle clock starts when it accepts, which is after this instant.
  const auto start = std::chrono::steady_clock::now();
  test_client trickler(server.port());
  // One byte, then wait up to 50 ms for the server to say anything: never a complete line.
  std::string got;
  for (int i = 0; i < 2000 && got.empty(); ++i) {
    trickler.send("x");
    pollfd p{trickler.fd(), POLLIN, 0};
    if (::poll(&p, 1, 50) == 1) got = trickler.line();
  }
  const auto held = std::chrono::steady_clock::now() - start;
  CHECK(got.starts_with("BYE IDLE_TIMEOUT "));
  CHECK(held >= 500ms);
  CHECK(trickler.closed_by_server());
}

TEST_CASE("msg-rate paces a flooding client without dropping anything - others are unaffected") {
  chat::server::server_config config;
  config.msg_rate = 100;
  config.msg_burst = 10;
  running_server server(config);
  test_client flooder(server.port()), reader(server.port()), noy(server.port()), elias(server.port());
  flooder.register_as("Flooder");
  reader.register_as("Reader");
  noy.register_as("Noy");
  elias.register_as("Elias");
  flooder.ask("CONNECT Reader");
  reader.line();
  noy.ask("CONNECT Elias");
  elias.line();
  constexpr int messages = 300;
  std::string burst;
  for (int i = 0; i < messages; ++i) burst += "MSG n" + std::to_string(i) + "\n";
  const auto start = std::chrono::steady_clock::now();
  flooder.send(burst);
  // While the flooder is held back, the other pair talks freely (its own budget is untouched).
  for (int i = 0; i < 5; ++i) {
    noy.send("MSG hi " + std::to_string(i) + "\n");
    REQUIRE(elias.line() == "MSG Noy hi " + std::to_string(i));
  }
  CHECK(std::chrono::steady_clock::now() - start < 2s);
  for (int i = 0; i < messages; ++i) REQUIRE(reader.line() == "MSG Flooder n" + std::to_string(i));
  // 290 lines past the burst at 100 per second cannot arrive sooner than 2.9 s (a lower bound holds on any machine).
  CHECK(std::chrono::steady_clock::now() - start >= 2800ms);
  CHECK(server.get().stats().rate_limited.load() > 0);
}

TEST_CASE("max-per-ip turns away one more connection from an address, not from another") {
  chat::server::server_config config;
  config.max_per_ip = 2;
  running_server server(config);
  test_client a(server.port()), b(server.port());
  test_client third(server.port(), false);
  CHECK(third.line().starts_with("BYE ADDRESS_LIMIT "));
  CHECK(third.closed_by_server());
  // 127.0.0.2 is loopback too, but another address.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr.s_addr = htonl(0x7f000002);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(server.port());
  remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) == 0);
  pollfd p{fd, POLLIN, 0};
  REQUIRE(::poll(&p, 1, 20000) == 1);
  char greeting[6] = {};
  CHECK(::recv(fd, greeting, 5, 0) == 5);
  CHECK(std::string(greeting) == "HELLO");
  ::close(fd);
  CHECK(server.get().stats().turned_away.load() == 1);
}
