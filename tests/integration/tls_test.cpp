// chat-server over TLS, in process, over loopback: the handshake and a chat,
// a plain client on the TLS port, a stalled handshake, and a certificate reload.
// The certificates come from tests/support/make_test_certs.sh (tls_test_client.hpp).
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>

#include "test_client.hpp"
#include "tls_test_client.hpp"

using chat::test::running_server;
using chat::test::scratch_dir;
using chat::test::test_certs;
using chat::test::test_client;
using chat::test::tls_test_client;

namespace {

chat::server::server_config tls_config(const std::filesystem::path& cert = test_certs() / "server.pem",
                                       const std::filesystem::path& key = test_certs() / "server.key") {
  chat::server::server_config config;
  config.tls.cert_file = cert.string();
  config.tls.key_file = key.string();
  config.tls.port = 0;
  return config;
}

std::uint16_t tls_port(running_server& server) {
  return server.get().tls_endpoint().port();
}

// The client's handshake worked and the server presented the certificate of `subject`.
void check_served(tls_test_client& client, const std::string& subject) {
  REQUIRE_FALSE(client.handshake_error());
  CHECK(client.peer_subject() == subject);
}

// Waits (bounded) until the server holds `n` sessions.
bool live_sessions_become(running_server& server, std::size_t n) {
  return chat::test::wait_until([&] { return server.get().live_sessions() == n; });
}

}  // namespace

TEST_CASE("handshake, then a chat between a TLS client and a plain one") {
  running_server server(tls_config());
  tls_test_client noy(tls_port(server));
  REQUIRE_FALSE(noy.handshake_error());
  CHECK((noy.protocol_version() == "TLSv1.3" || noy.protocol_version() == "TLSv1.2"));
  test_client elias(server.port());
  open_chat(noy, "Noy", elias, "Elias");
  noy.send("MSG over TLS\n");
  CHECK(elias.line() == "MSG Noy over TLS");
  // Lines in both directions, many per TLS record and a longest one over several records.
  const std::string longest(4096 - 4, 'x');
  std::string burst;
  for (int i = 0; i < 500; ++i) burst += "MSG " + std::to_string(i) + "\n";
  elias.send(burst + "MSG " + longest + "\n");
  noy.send(burst + "MSG " + longest + "\n");
  for (int i = 0; i < 500; ++i) {
    REQUIRE(noy.line() == "MSG Elias " + std::to_string(i));
    REQUIRE(elias.line() == "MSG Noy " + std::to_string(i));
  }
  CHECK(noy.line() == "MSG Elias " + longest);
  CHECK(elias.line() == "MSG Noy " + longest);
  CHECK(noy.ask("WHO") == "OK WHO 2 Elias Noy");
  CHECK(noy.ask("QUIT") == "OK BYE");
  CHECK(elias.line() == "DISCONNECTED Noy");
  CHECK_FALSE(noy.next_line().has_value());  // the server closed (close_notify)
}

TEST_CASE("with --no-plain only the TLS port listens") {
  auto config = tls_config();
  config.tls.plain = false;
  running_server server(config);
  CHECK(server.get().local_endpoint().port() == 0);
  tls_test_client noy(tls_port(server));
  REQUIRE_FALSE(noy.handshake_error());
  noy.register_as("Noy");
}

TEST_CASE("a plain client on the TLS port fails cleanly and the server stays healthy") {
  running_server server(tls_config());
  {
    test_client plain(tls_port(server), false);
    plain.send("REGISTER Noy\n");
    CHECK(plain.closed_by_server());
  }
  CHECK(server.get().stats().tls_handshake_failures.load() == 1);
  CHECK(live_sessions_become(server, 0));
  tls_test_client noy(tls_port(server));
  REQUIRE_FALSE(noy.handshake_error());
  noy.register_as("Noy");
  test_client elias(server.port());
  elias.register_as("Elias");
}

TEST_CASE("a client that stalls mid-handshake is cut by the handshake timeout") {
  auto config = tls_config();
  config.tls.handshake_timeout = std::chrono::milliseconds(300);
  running_server server(config);
  const auto started = std::chrono::steady_clock::now();
  test_client stalled(tls_port(server), false);
  // The first bytes of a ClientHello record (handshake, TLS 1.0 record version, 512 bytes long), then nothing.
  stalled.send(std::string("\x16\x03\x01\x02\x00\x01", 6));
  // Meanwhile others are served.
  tls_test_client noy(tls_port(server));
  REQUIRE_FALSE(noy.handshake_error());
  noy.register_as("Noy");
  CHECK(stalled.closed_by_server());
  const auto waited = std::chrono::steady_clock::now() - started;
  CHECK(waited >= std::chrono::milliseconds(300));
  CHECK(server.get().stats().tls_handshake_failures.load() == 1);
  CHECK(live_sessions_become(server, 1));
  CHECK(noy.ask("PING") == "PONG");
}

TEST_CASE("a reload serves the new certificate to new handshakes and keeps every session, and refuses a bad one") {
  scratch_dir dir;
  const auto cert = dir.path() / "cert.pem", key = dir.path() / "key.pem";
  // Puts the named test certificate and key where the server's configuration points.
  const auto install = [&](const char* cert_file, const char* key_file) {
    const auto overwrite = std::filesystem::copy_options::overwrite_existing;
    std::filesystem::copy_file(test_certs() / cert_file, cert, overwrite);
    std::filesystem::copy_file(test_certs() / key_file, key, overwrite);
  };
  install("server.pem", "server.key");
  running_server server(tls_config(cert, key));

  tls_test_client before(tls_port(server));
  check_served(before, "/CN=tcp-chat test server");
  before.register_as("Before");

  install("renewed.pem", "renewed.key");
  REQUIRE(server.get().reload_tls());
  tls_test_client after(tls_port(server));
  check_served(after, "/CN=tcp-chat test renewed");
  after.register_as("After");
  // The session from before the reload goes on, on its own certificate.
  CHECK(before.ask("CONNECT After") == "OK CONNECTED After");
  CHECK(after.line() == "CONNECTED Before");
  before.send("MSG still here\n");
  CHECK(after.line() == "MSG Before still here");

  // A certificate that does not load, then a key that does not match: both refused, the renewed one stays.
  install("garbage.pem", "renewed.key");
  CHECK_FALSE(server.get().reload_tls());
  install("renewed.pem", "server.key");
  CHECK_FALSE(server.get().reload_tls());
  tls_test_client later(tls_port(server));
  check_served(later, "/CN=tcp-chat test renewed");
  after.send("MSG and you\n");
  CHECK(before.line() == "MSG After and you");
}

TEST_CASE("a graceful shutdown does not wait for a stalled handshake") {
  auto config = tls_config();
  config.tls.handshake_timeout = std::chrono::seconds(60);
  config.shutdown_timeout = std::chrono::seconds(2);
  running_server server(config);
  test_client stalled(tls_port(server), false);
  stalled.send(std::string("\x16\x03\x01\x02\x00\x01", 6));
  REQUIRE(live_sessions_become(server, 1));  // accepted: its handshake is under way
  // Graceful (within --shutdown-timeout): the handshake was cut, not waited for.
  CHECK(server.stop());
  CHECK(stalled.closed_by_server());
}
