// When the interactive client comes back after its connection ended, and what it
// does with the reply to its REGISTER of the old name.
#include "client/reconnect_verdict.hpp"

#include <catch2/catch.hpp>

using namespace chat::client;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// A connection that ended on the server's side, with a name registered.
session_end dropped_while_registered() {
  session_end end;
  end.closed = true;
  end.registered = true;
  return end;
}

}  // namespace

TEST_CASE("a lost connection or a server restart is reconnected", "[reconnect_verdict]") {
  auto end = dropped_while_registered();
  CHECK(verdict_after_session(end) == after_session::reconnect);  // closed without a BYE
  end.bye_seen = true;
  end.bye_reason = "SHUTDOWN";
  CHECK(verdict_after_session(end) == after_session::reconnect);
  end.registered = false;  // a --name not yet confirmed is registered again too
  CHECK(verdict_after_session(end) == after_session::reconnect);
}

TEST_CASE("any other BYE is the server's verdict on this client", "[reconnect_verdict]") {
  auto end = dropped_while_registered();
  end.bye_seen = true;
  for (const auto* reason : {"IDLE_TIMEOUT", "SLOW_CONSUMER", "LINE_TOO_LONG", "REGISTER_TIMEOUT", ""}) {
    INFO(reason);
    end.bye_reason = reason;
    CHECK(verdict_after_session(end) == after_session::leave);
  }
}

TEST_CASE("the user leaving, or --no-reconnect, ends the client", "[reconnect_verdict]") {
  auto end = dropped_while_registered();
  end.quit_sent = true;
  CHECK(verdict_after_session(end) == after_session::leave);
  end = dropped_while_registered();
  end.terminal_failed = true;
  CHECK(verdict_after_session(end) == after_session::leave);
  end = dropped_while_registered();
  end.reconnect_allowed = false;
  CHECK(verdict_after_session(end) == after_session::leave);
  end = dropped_while_registered();
  end.closed = false;  // the session ended with the connection still open: nothing dropped
  CHECK(verdict_after_session(end) == after_session::leave);
}

TEST_CASE("the register timeout while a name is asked for reopens quietly", "[reconnect_verdict]") {
  auto end = dropped_while_registered();
  end.registered = false;  // the name is being asked for
  end.bye_seen = true;
  end.bye_reason = "REGISTER_TIMEOUT";
  CHECK(verdict_after_session(end) == after_session::reopen_quietly);
  end.reconnect_allowed = false;  // no lost connection: --no-reconnect does not apply
  CHECK(verdict_after_session(end) == after_session::reopen_quietly);
  end.quit_sent = true;
  CHECK(verdict_after_session(end) == after_session::leave);
}

TEST_CASE("a name still taken is retried for name_wait, then given up", "[reconnect_verdict]") {
  name_reclaim reclaim(seconds(10));
  const auto start = name_reclaim::clock::now();
  const auto taken = "ERR NAME_TAKEN that name is in use";
  CHECK(reclaim.on_reply(taken, start, seconds(1)) == name_reclaim::step::retry);
  CHECK(reclaim.on_reply(taken, start + seconds(5), seconds(4)) == name_reclaim::step::retry);
  // The wait counts from the first NAME_TAKEN; a next try past it is not made.
  CHECK(reclaim.on_reply(taken, start + seconds(8), seconds(2)) == name_reclaim::step::ask_another_name);
  CHECK(reclaim.on_reply(taken, start + seconds(11), milliseconds(1)) == name_reclaim::step::ask_another_name);
}

TEST_CASE("any other reply to REGISTER ends the reconnection", "[reconnect_verdict]") {
  name_reclaim reclaim(seconds(300));
  const auto now = name_reclaim::clock::now();
  CHECK(reclaim.on_reply("OK REGISTERED Noy", now, seconds(1)) == name_reclaim::step::done);
  CHECK(reclaim.on_reply("ERR INVALID_NAME bad", now, seconds(1)) == name_reclaim::step::done);
  CHECK(reclaim.on_reply("BYE SHUTDOWN the server is shutting down", now, seconds(1)) == name_reclaim::step::done);
}

TEST_CASE("a name wait of 0 gives the name up at the first NAME_TAKEN", "[reconnect_verdict]") {
  name_reclaim reclaim(milliseconds(0));
  CHECK(reclaim.on_reply("ERR NAME_TAKEN x", name_reclaim::clock::now(), milliseconds(250)) ==
        name_reclaim::step::ask_another_name);
}
