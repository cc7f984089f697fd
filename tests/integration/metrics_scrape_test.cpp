// /metrics over loopback: an in-process server with its metrics endpoint on an
// ephemeral port, scraped with a plain HTTP/1.0 GET after known traffic.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "chat-server/metrics_endpoint.hpp"
#include "test_client.hpp"

using chat::test::open_chat;
using chat::test::running_server;
using chat::test::test_client;

namespace {

// GET `path` from 127.0.0.1:`port`; the whole response, headers included ("" on any failure).
std::string http_get(std::uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) {
    const auto request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      const auto deadline = std::chrono::steady_clock::now() + chat::test::read_timeout;
      char buf[4096];
      while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;  // HTTP/1.0: the server closes after the body
        response.append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  ::close(fd);
  return response;
}

// The value of the sample line starting with `series` (name and labels), or -1.
double sample(const std::string& response, const std::string& series) {
  const auto at = response.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(response.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE("metrics: /metrics over loopback counts relayed messages, errors and the outbox wait") {
  chat::server::server_config config;
  config.metrics.port = 0;  // the server times outbox waits only when metrics are on
  running_server server(config);
  auto endpoint = chat::start_metrics(config.metrics, server.get());
  REQUIRE(endpoint != nullptr);
  REQUIRE(endpoint->port() != 0);

  test_client noy(server.port()), elias(server.port());
  open_chat(noy, "Noy", elias, "Elias");
  constexpr int messages = 25;
  for (int i = 0; i < messages; ++i) noy.send("MSG hello " + std::to_string(i) + "\n");
  for (int i = 0; i < messages; ++i) REQUIRE(elias.line() == "MSG Noy hello " + std::to_string(i));
  CHECK(elias.ask("REGISTER Again").starts_with("ERR ALREADY_REGISTERED "));
  CHECK(elias.ask("FROB").starts_with("ERR UNKNOWN_COMMAND "));

  // The sender's thread counts a message just after it queues it, and a writer subtracts what it
  // wrote only once its write has completed, so both may land a moment after a client read the
  // line: scrape until they have.
  std::string response;
  const auto deadline = std::chrono::steady_clock::now() + chat::test::read_timeout;
  do {
    response = http_get(endpoint->port(), "/metrics");
  } while ((sample(response, "chat_messages_relayed_total") != messages ||
            sample(response, "chat_outbox_queued_bytes") != 0) &&
           std::chrono::steady_clock::now() < deadline);
  REQUIRE(response.starts_with("HTTP/1.1 200"));
  CHECK(response.find("Content-Type: text/plain") != std::string::npos);
  CHECK(sample(response, "chat_messages_relayed_total") == messages);
  CHECK(sample(response, "chat_connections_accepted_total") == 2);
  CHECK(sample(response, "chat_connections") == 2);
  CHECK(sample(response, "chat_registered_users") == 2);
  CHECK(sample(response, "chat_active_chats") == 1);
  CHECK(sample(response, "chat_errors_total{code=\"ALREADY_REGISTERED\"}") == 1);
  CHECK(sample(response, "chat_errors_total{code=\"UNKNOWN_COMMAND\"}") == 1);
  CHECK(sample(response, "chat_received_bytes_total") > 0);
  CHECK(sample(response, "chat_sent_bytes_total") > 0);
  // Every line the clients read went through a write batch.
  CHECK(sample(response, "chat_outbox_wait_seconds_count") > 0);
  CHECK(sample(response, "chat_outbox_wait_seconds_bucket{le=\"+Inf\"}") ==
        sample(response, "chat_outbox_wait_seconds_count"));
  // Nothing is left queued once both clients have read everything.
  CHECK(sample(response, "chat_outbox_queued_bytes") == 0);
  CHECK(http_get(endpoint->port(), "/other").find(" 404 ") != std::string::npos);
}

TEST_CASE("metrics: off by default - no endpoint, and the outbox wait is not timed") {
  running_server server;
  CHECK(chat::start_metrics(chat::server::metrics_config{}, server.get()) == nullptr);
  test_client noy(server.port()), elias(server.port());
  open_chat(noy, "Noy", elias, "Elias");
  noy.send("MSG hi\n");
  REQUIRE(elias.line() == "MSG Noy hi");
  chat::test::wait_until([&] { return server.get().stats().messages_relayed.load() == 1; });
  CHECK(server.get().stats().messages_relayed.load() == 1);
  CHECK(server.get().stats().bytes_out.load() > 0);
  CHECK(server.get().stats().outbox_wait.read().count == 0);
}
