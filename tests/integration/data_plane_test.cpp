// The ordering promises of the direct MSG path (MSG goes from the sender's
// reader straight into the partner's queue, the router keeps the control plane),
// each repeated enough times to catch a race between the two paths.
#include <catch2/catch.hpp>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "test_client.hpp"

using chat::test::open_chat;
using chat::test::running_server;
using chat::test::test_client;

namespace {

std::string msg_text(int i) {
  return "m" + std::to_string(i);
}

}  // namespace

TEST_CASE("pipelined commands keep their order while MSG has a direct path") {
  running_server server;
  for (int round = 0; round < 200; ++round) {
    test_client a(server.port()), b(server.port());
    const auto an = "a" + std::to_string(round), bn = "b" + std::to_string(round);
    b.register_as(bn);
    a.send("REGISTER " + an + "\nCONNECT " + bn + "\nMSG one\nMSG two\nDISCONNECT\nMSG late\nPING end\n");
    REQUIRE(a.line() == "OK REGISTERED " + an);
    REQUIRE(a.line() == "OK CONNECTED " + bn);
    REQUIRE(a.line() == "OK DISCONNECTED " + bn);
    REQUIRE(a.line().starts_with("ERR NOT_IN_CHAT"));
    REQUIRE(a.line() == "PONG end");
    REQUIRE(b.line() == "CONNECTED " + an);
    REQUIRE(b.line() == "MSG " + an + " one");
    REQUIRE(b.line() == "MSG " + an + " two");
    REQUIRE(b.line() == "DISCONNECTED " + an);
  }
}

TEST_CASE("in an established chat, a MSG after a pipelined DISCONNECT or CONNECT follows it") {
  running_server server;
  for (int round = 0; round < 100; ++round) {
    test_client a(server.port()), b(server.port()), c(server.port());
    const auto an = "a" + std::to_string(round), bn = "b" + std::to_string(round), cn = "c" + std::to_string(round);
    open_chat(a, an, b, bn);
    c.register_as(cn);
    // A MSG first, so that A's direct path to B is in place.
    a.send("MSG warm\n");
    REQUIRE(b.line() == "MSG " + an + " warm");
    a.send("DISCONNECT\nMSG late\nCONNECT " + cn + "\nMSG hi-c\nPING end\n");
    REQUIRE(a.line() == "OK DISCONNECTED " + bn);
    REQUIRE(a.line().starts_with("ERR NOT_IN_CHAT"));
    REQUIRE(a.line() == "OK CONNECTED " + cn);
    REQUIRE(a.line() == "PONG end");
    REQUIRE(b.line() == "DISCONNECTED " + an);
    REQUIRE(b.ask("PING b") == "PONG b");
    REQUIRE(c.line() == "CONNECTED " + an);
    REQUIRE(c.line() == "MSG " + an + " hi-c");
  }
}

TEST_CASE("a MSG sent the instant CONNECTED arrives reaches the requester after OK CONNECTED") {
  running_server server;
  for (int round = 0; round < 200; ++round) {
    test_client a(server.port()), b(server.port());
    const auto an = "a" + std::to_string(round), bn = "b" + std::to_string(round);
    a.register_as(an);
    b.register_as(bn);
    // Helper threads use only the test client's macro-free calls.
    auto answer = std::async(std::launch::async, [&] {
      auto event = b.next_line();
      b.send_bytes("MSG at once\n");
      return event.value_or("(nothing)");
    });
    a.send("CONNECT " + bn + "\n");
    REQUIRE(a.line() == "OK CONNECTED " + bn);
    REQUIRE(a.line() == "MSG " + bn + " at once");
    REQUIRE(answer.get() == "CONNECTED " + an);
  }
}

// B sends `count` numbered MSGs while A ends the chat by `how` (DISCONNECT or
// QUIT). Every MSG must either reach A before A's OK DISCONNECTED / OK BYE, in
// order, or be answered ERR NOT_IN_CHAT to B; none may reach A afterwards.
void check_end_while_sending(const std::string& how) {
  running_server server;
  constexpr int count = 300;
  for (int round = 0; round < 30; ++round) {
    test_client a(server.port()), b(server.port());
    const auto an = "a" + std::to_string(round), bn = "b" + std::to_string(round);
    open_chat(a, an, b, bn);
    auto sender = std::async(std::launch::async, [&] {
      std::string burst;
      for (int i = 0; i < count; ++i) {
        burst += "MSG " + msg_text(i) + "\n";
        if (i % 10 == 9) {
          b.send_bytes(burst);
          burst.clear();
        }
      }
      b.send_bytes("PING fence\n");
      int refused = 0;
      bool told = false;
      for (int lines = 0; lines <= count + 2; ++lines) {  // bounded: at most a reply per MSG and the event
        const auto line = b.next_line().value_or("(nothing)");
        if (line == "PONG fence" || line == "(nothing)") break;
        if (line.starts_with("ERR NOT_IN_CHAT")) ++refused;
        if (line == "DISCONNECTED " + an) told = true;
      }
      // The fence may have been answered before the chat ended: the event still comes.
      const bool told_after = told || b.next_line() == "DISCONNECTED " + an;
      return std::pair{refused, told_after};
    });
    // Let some messages through first, so that the end lands mid-stream.
    const int before_end = 1 + round % 40;
    int received = 0;
    for (; received < before_end; ++received) REQUIRE(a.line() == "MSG " + bn + " " + msg_text(received));
    a.send(how + "\n");
    const auto ended = how == "QUIT" ? std::string("OK BYE") : "OK DISCONNECTED " + bn;
    for (int lines = received; lines <= count; ++lines) {
      const auto line = a.line();
      if (line == ended) break;
      REQUIRE(line == "MSG " + bn + " " + msg_text(received));
      ++received;
    }
    if (how == "QUIT") {
      REQUIRE(a.closed_by_server());
    } else {
      // Nothing of the ended chat may follow: the next line is the fence's answer.
      REQUIRE(a.ask("PING after") == "PONG after");
    }
    const auto [refused, told] = sender.get();
    CHECK(told);
    REQUIRE(received + refused == count);
  }
}

TEST_CASE("DISCONNECT while the partner sends: each MSG arrives before OK DISCONNECTED or is refused") {
  check_end_while_sending("DISCONNECT");
}

TEST_CASE("QUIT while the partner sends: each MSG arrives before OK BYE or is refused") {
  check_end_while_sending("QUIT");
}

TEST_CASE("a former partner's text never lands in a later chat") {
  running_server server;
  for (int round = 0; round < 30; ++round) {
    test_client a(server.port()), b(server.port()), c(server.port());
    const auto an = "a" + std::to_string(round), bn = "b" + std::to_string(round), cn = "c" + std::to_string(round);
    open_chat(a, an, b, bn);
    c.register_as(cn);
    auto sender = std::async(std::launch::async, [&] {
      std::string burst;
      for (int i = 0; i < 200; ++i) burst += "MSG from-b " + std::to_string(i) + "\n";
      b.send_bytes(burst);
      b.send_bytes("PING fence\n");
      for (int lines = 0; lines <= 202 && b.next_line().value_or("PONG fence") != "PONG fence"; ++lines) {
      }
    });
    REQUIRE(a.line().starts_with("MSG " + bn + " "));
    a.send("DISCONNECT\nCONNECT " + cn + "\n");
    std::string line;
    for (int lines = 0; (line = a.line()) != "OK DISCONNECTED " + bn && lines <= 200; ++lines) {
      REQUIRE(line.starts_with("MSG " + bn + " "));
    }
    REQUIRE(line == "OK DISCONNECTED " + bn);
    REQUIRE(a.line() == "OK CONNECTED " + cn);
    REQUIRE(c.line() == "CONNECTED " + an);
    sender.get();
    c.send("MSG from-c\n");
    REQUIRE(a.line() == "MSG " + cn + " from-c");
  }
}

TEST_CASE("a closed connection ends the chat after every MSG it sent") {
  running_server server;
  for (int round = 0; round < 30; ++round) {
    test_client a(server.port()), b(server.port());
    const auto an = "a" + std::to_string(round), bn = "b" + std::to_string(round);
    open_chat(a, an, b, bn);
    std::string burst;
    for (int i = 0; i < 100; ++i) burst += "MSG " + msg_text(i) + "\n";
    a.send(burst);
    a.shutdown_write();
    for (int i = 0; i < 100; ++i) REQUIRE(b.line() == "MSG " + an + " " + msg_text(i));
    REQUIRE(b.line() == "DISCONNECTED " + an);
  }
}
