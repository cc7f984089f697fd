// Every command, reply, event and error code over real loopback sockets.
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <memory>
#include <string>

#include "test_client.hpp"

using chat::test::open_chat;
using chat::test::running_server;
using chat::test::test_client;

namespace {

std::string code_of(const std::string& reply) {
  REQUIRE(reply.starts_with("ERR "));
  return reply.substr(4, reply.find(' ', 4) - 4);
}

}  // namespace

TEST_CASE("greeting, then REGISTER and its errors") {
  running_server server;
  test_client noy(server.port()), other(server.port());
  noy.register_as("Noy");
  CHECK(code_of(noy.ask("REGISTER Again")) == "ALREADY_REGISTERED");
  CHECK(code_of(other.ask("REGISTER noy")) == "NAME_TAKEN");
  CHECK(code_of(other.ask("REGISTER bad!name")) == "INVALID_NAME");
  CHECK(code_of(other.ask("REGISTER")) == "MISSING_ARGUMENT");
  CHECK(other.ask("register Elias") == "OK REGISTERED Elias");
}

TEST_CASE("CONNECT, MSG both ways, DISCONNECT: replies and events") {
  running_server server;
  test_client noy(server.port()), elias(server.port());
  noy.register_as("Noy");
  elias.register_as("Elias");
  CHECK(noy.ask("CONNECT elias") == "OK CONNECTED Elias");
  CHECK(elias.line() == "CONNECTED Noy");
  noy.send("MSG hello  Elias \n");
  CHECK(elias.line() == "MSG Noy hello  Elias ");
  elias.send("MSG hi, \"Noy\"\n");
  CHECK(noy.line() == "MSG Elias hi, \"Noy\"");
  CHECK(elias.ask("DISCONNECT") == "OK DISCONNECTED Noy");
  CHECK(noy.line() == "DISCONNECTED Elias");
  CHECK(code_of(noy.ask("MSG anyone?")) == "NOT_IN_CHAT");
}

TEST_CASE("CONNECT and MSG errors") {
  running_server server;
  test_client noy(server.port()), elias(server.port()), dana(server.port()), anon(server.port());
  CHECK(code_of(anon.ask("CONNECT Noy")) == "NOT_REGISTERED");
  CHECK(code_of(anon.ask("MSG hi")) == "NOT_REGISTERED");
  CHECK(code_of(anon.ask("DISCONNECT")) == "NOT_IN_CHAT");
  noy.register_as("Noy");
  elias.register_as("Elias");
  dana.register_as("Dana");
  CHECK(code_of(noy.ask("CONNECT")) == "MISSING_ARGUMENT");
  CHECK(code_of(noy.ask("CONNECT Remote peer")) == "NO_SUCH_USER");
  CHECK(code_of(noy.ask("CONNECT noy")) == "SELF");
  CHECK(code_of(noy.ask("MSG hi")) == "NOT_IN_CHAT");
  CHECK(code_of(noy.ask("DISCONNECT")) == "NOT_IN_CHAT");
  CHECK(noy.ask("CONNECT Elias") == "OK CONNECTED Elias");
  CHECK(elias.line() == "CONNECTED Noy");
  CHECK(code_of(dana.ask("CONNECT Elias")) == "BUSY");
  CHECK(code_of(noy.ask("CONNECT Dana")) == "IN_CHAT");
  CHECK(code_of(noy.ask("MSG")) == "EMPTY_MESSAGE");
  CHECK(code_of(noy.ask("MSG    ")) == "EMPTY_MESSAGE");
}

TEST_CASE("PING, WHO, HELP, unknown commands, bad bytes") {
  running_server server;
  test_client a(server.port()), b(server.port());
  CHECK(a.ask("PING") == "PONG");
  CHECK(a.ask("ping token-1") == "PONG token-1");
  CHECK(a.ask("WHO") == "OK WHO 0");
  a.register_as("Noy");
  b.register_as("Nadia");
  CHECK(b.ask("WHO") == "OK WHO 2 Nadia Noy");
  CHECK(b.ask("who no") == "OK WHO 1 Noy");
  CHECK(b.ask("HELP").starts_with("OK HELP REGISTER"));
  CHECK(code_of(b.ask("JUMP")) == "UNKNOWN_COMMAND");
  CHECK(code_of(b.ask("")) == "UNKNOWN_COMMAND");
  b.send(std::string("MSG a\0b\n", 8));
  CHECK(code_of(b.line()) == "BAD_ENCODING");
  CHECK(code_of(b.ask("MSG \xff\xfe")) == "BAD_ENCODING");
  CHECK(b.ask("PING still-here") == "PONG still-here");
}

TEST_CASE("a sender's name cannot be forged") {
  running_server server;
  test_client noy(server.port()), elias(server.port());
  open_chat(noy, "Noy", elias, "Elias");
  noy.send("MSG Elias I am Elias\n");
  CHECK(elias.line() == "MSG Noy Elias I am Elias");
}

TEST_CASE("QUIT answers OK BYE, closes, tells the partner and frees the name") {
  running_server server;
  test_client noy(server.port()), elias(server.port());
  open_chat(noy, "Noy", elias, "Elias");
  CHECK(elias.ask("QUIT") == "OK BYE");
  CHECK(elias.closed_by_server());
  CHECK(noy.line() == "DISCONNECTED Elias");
  test_client again(server.port());
  again.register_as("Elias");
}

TEST_CASE("CR before LF is dropped and a command split byte by byte still parses") {
  running_server server;
  test_client a(server.port());
  for (char c : std::string("REGISTER Noy\r\nPING x\r\n")) a.send(std::string_view(&c, 1));
  CHECK(a.line() == "OK REGISTERED Noy");
  CHECK(a.line() == "PONG x");
}

TEST_CASE("many commands pipelined in one write are answered in order") {
  running_server server;
  test_client a(server.port());
  std::string burst = "REGISTER Noy\n";
  for (int i = 0; i < 2000; ++i) burst += (i % 3 == 0 ? "WHO\n" : "PING " + std::to_string(i) + "\n");
  a.send(burst);
  CHECK(a.line() == "OK REGISTERED Noy");
  for (int i = 0; i < 2000; ++i) {
    const auto expected = i % 3 == 0 ? std::string("OK WHO 1 Noy") : "PONG " + std::to_string(i);
    REQUIRE(a.line() == expected);
  }
}

TEST_CASE("a 2 MiB line without newline is refused, the connection stays usable, memory does not grow") {
  chat::server::server_config config;
  config.max_line = 4096;
  running_server server(config);
  const std::string huge(2 << 20, 'x');
  constexpr int clients = 16;
  std::vector<test_client> cs;
  for (int i = 0; i < clients; ++i) cs.emplace_back(server.port());
  const auto before = chat::test::resident_bytes();
  for (auto& c : cs) c.send("MSG " + huge);
  for (auto& c : cs) CHECK(code_of(c.line()) == "LINE_TOO_LONG");
  // The rest of the line is discarded up to its LF; the next line is served.
  for (auto& c : cs) CHECK(c.ask("tail of the long line\nPING after") == "PONG after");
  const auto grown = chat::test::resident_bytes() - std::min(before, chat::test::resident_bytes());
  INFO("resident set grew by " << grown << " bytes for " << clients << " clients");
  // Buffering each line whole would cost 32 MiB here.
  if (chat::test::memory_is_measurable) CHECK(grown < 8u << 20);
}

TEST_CASE("a client that half-closes gets every reply before the server closes") {
  running_server server;
  test_client a(server.port());
  a.send("REGISTER Noy\nPING 1\nWHO\n");
  a.shutdown_write();
  CHECK(a.line() == "OK REGISTERED Noy");
  CHECK(a.line() == "PONG 1");
  CHECK(a.line() == "OK WHO 1 Noy");
  CHECK(a.closed_by_server());
}

TEST_CASE("a peer that resets its connection: partner told at once, name freed") {
  running_server server;
  test_client noy(server.port()), elias(server.port());
  open_chat(noy, "Noy", elias, "Elias");
  elias.reset();
  CHECK(noy.line() == "DISCONNECTED Elias");
  test_client again(server.port());
  again.register_as("Elias");
  CHECK(noy.ask("WHO") == "OK WHO 2 Elias Noy");
}

TEST_CASE("over --max-clients a client gets BYE SERVER_FULL and the others are served") {
  chat::server::server_config config;
  config.max_clients = 2;
  running_server server(config);
  test_client a(server.port());
  auto b = std::make_unique<test_client>(server.port());
  test_client refused(server.port(), false);
  CHECK(refused.line().starts_with("BYE SERVER_FULL "));
  CHECK(refused.closed_by_server());
  CHECK(a.ask("PING") == "PONG");
  b->ask("QUIT");
  CHECK(b->closed_by_server());
  b.reset();  // our side closes too: the server lets go of the session
  // The slot is free once the server has let go of b; until then each try is turned away.
  const auto deadline = std::chrono::steady_clock::now() + chat::test::read_timeout;
  for (;;) {
    test_client c(server.port(), false);
    if (c.line().starts_with("HELLO ")) break;
    REQUIRE(std::chrono::steady_clock::now() < deadline);
  }
}

TEST_CASE("SIGTERM: every client gets BYE SHUTDOWN, queued lines are flushed first, graceful stop") {
  chat::server::server_config config;
  config.host = "127.0.0.1";
  config.port = 0;
  config.threads = 2;
  config.handle_signals = true;
  chat::server::server server(config);
  server.start();
  test_client noy(server.local_endpoint().port()), elias(server.local_endpoint().port());
  open_chat(noy, "Noy", elias, "Elias");
  std::string burst;
  for (int i = 0; i < 100; ++i) burst += "MSG m" + std::to_string(i) + "\n";
  noy.send(burst + "PING last\n");
  CHECK(noy.line() == "PONG last");  // every MSG before it has reached the router
  REQUIRE(::kill(::getpid(), SIGTERM) == 0);
  for (int i = 0; i < 100; ++i) REQUIRE(elias.line() == "MSG Noy m" + std::to_string(i));
  CHECK(elias.line().starts_with("BYE SHUTDOWN "));
  CHECK(noy.line().starts_with("BYE SHUTDOWN "));
  CHECK(noy.closed_by_server());
  CHECK(elias.closed_by_server());
  CHECK(server.wait());
}

TEST_CASE("nothing after QUIT is read, and the session ends once the client closes") {
  running_server server;
  {
    test_client a(server.port());
    // QUIT, then more than the pending-request bound of lines in the same write.
    std::string burst = "QUIT\n";
    for (int i = 0; i < 300; ++i) burst += "PING " + std::to_string(i) + "\n";
    a.send(burst);
    CHECK(a.line() == "OK BYE");
    CHECK(a.closed_by_server());
    CHECK_FALSE(a.next_line().has_value());  // no PONG: the lines after QUIT were not handled
  }
  chat::test::wait_until([&] { return server.get().live_sessions() == 0; });
  CHECK(server.get().live_sessions() == 0);
}
