// The prompt and the typing rules of the interactive client.
#include "client/chat_state.hpp"

#include <catch2/catch.hpp>
#include <string>

using chat::client::chat_state;

TEST_CASE("the prompt shows who we are and who we chat with", "[chat_state]") {
  chat_state state;
  CHECK(state.prompt() == "name> ");
  state.observe("OK REGISTERED Noy");
  CHECK(state.prompt() == "Noy> ");
  state.observe("OK CONNECTED Elias");
  CHECK(state.prompt() == "Noy\u2192Elias> ");
  state.observe("OK DISCONNECTED Elias");
  CHECK(state.prompt() == "Noy> ");
  state.observe("CONNECTED Eve");  // Eve opened a chat with us
  CHECK(state.prompt() == "Noy\u2192Eve> ");
  state.observe("DISCONNECTED Eve");
  CHECK(state.prompt() == "Noy> ");
  state.observe("ERR NAME_TAKEN that name is in use");
  CHECK(state.prompt() == "Noy> ");
}

using kind = chat_state::typed_line::kind;

namespace {

// What goes out for a typed line: the line, or "refused: " and what the user is told.
std::string outcome(const chat_state& state, std::string_view typed) {
  const auto line = state.interpret(typed);
  return line.what == kind::refused ? "refused: " + line.line : line.line;
}

}  // namespace

TEST_CASE("before registering a plain word is the name wanted", "[chat_state]") {
  chat_state state;
  CHECK(outcome(state, "Noy") == "REGISTER Noy");
  CHECK(outcome(state, "REGISTER Noy") == "REGISTER Noy");
  CHECK(outcome(state, "who") == "who");
  CHECK(outcome(state, "/who") == "who");
  CHECK(outcome(state, "not a name") == "REGISTER not a name");  // the server answers INVALID_NAME
  CHECK(outcome(state, "//Noy") == "REGISTER /Noy");             // no command: a name (INVALID_NAME)
  state.observe("ERR NAME_TAKEN that name is in use");
  CHECK(outcome(state, "Noy2") == "REGISTER Noy2");
  state.observe("OK REGISTERED Noy2");
  CHECK(state.interpret("Noy").what == kind::refused);
}

TEST_CASE("outside a chat commands go out as typed, / commands without the slash", "[chat_state]") {
  chat_state state;
  state.observe("OK REGISTERED Noy");
  CHECK(outcome(state, "connect Elias") == "connect Elias");
  CHECK(outcome(state, "CONNECT Elias") == "CONNECT Elias");
  CHECK(outcome(state, "WHO") == "WHO");
  CHECK(outcome(state, "/connect Elias") == "connect Elias");
  CHECK(outcome(state, "/quit") == "quit");
  CHECK(outcome(state, "/") == "");  // nothing to send
  CHECK(state.interpret("/who").what == kind::command);
}

TEST_CASE("inside a chat every line is a message unless it starts with a slash", "[chat_state]") {
  chat_state state;
  state.observe("OK REGISTERED Noy");
  state.observe("OK CONNECTED Elias");
  // Typed line, the line that goes out, and whether it is a message.
  const auto [typed, sent, message] = GENERATE(table<std::string, std::string, bool>({
      {"who is there?", "MSG who is there?", true},
      {"hello", "MSG hello", true},
      {"Who", "MSG Who", true},
      // Sentences that start with a keyword in capitals: messages, never commands.
      {"WHO", "MSG WHO", true},
      {"WHO wants pizza?", "MSG WHO wants pizza?", true},
      {"DISCONNECT now please", "MSG DISCONNECT now please", true},
      {"QUIT smoking", "MSG QUIT smoking", true},
      {"HELP me", "MSG HELP me", true},
      {"CONNECT the dots", "MSG CONNECT the dots", true},
      {"REGISTER here", "MSG REGISTER here", true},
      {"PING", "MSG PING", true},
      // The course's habit: a leading MSG in capitals is dropped.
      {"MSG hello", "MSG hello", true},
      {"MSG MSG twice", "MSG MSG twice", true},
      {"MSG", "MSG MSG", true},
      {"msg in lower case", "MSG msg in lower case", true},
      {"MSGhello", "MSG MSGhello", true},
      // A slash makes a command; two make a line that starts with one.
      {"/who", "who", false},
      {"/WHO E", "WHO E", false},
      {"/disconnect", "disconnect", false},
      {"/quit", "quit", false},
      {"/msg via slash", "msg via slash", true},
      {"//etc", "MSG /etc", true},
      {"//", "MSG /", true},
      {"//MSG kept", "MSG /MSG kept", true},
      {"  indented", "MSG   indented", true},
  }));
  INFO(typed);
  const auto line = state.interpret(typed);
  CHECK(line.line == sent);
  CHECK((line.what == kind::message) == message);
}

TEST_CASE("a message's text is what the partner gets", "[chat_state]") {
  chat_state state;
  state.observe("OK REGISTERED Noy");
  state.observe("OK CONNECTED Elias");
  CHECK(state.interpret("MSG hello").text() == "hello");
  CHECK(state.interpret("//etc").text() == "/etc");
  CHECK(state.interpret("/msg hi").text() == "hi");
}

TEST_CASE("outside a chat, plain text gets a local hint instead of going out", "[chat_state]") {
  chat_state state;
  CHECK(state.interpret("hello there").what == kind::command);  // not registered: the name wanted
  state.observe("OK REGISTERED Noy");
  const auto hint = state.interpret("hello there");
  REQUIRE(hint.what == kind::refused);
  CHECK(hint.line.find("/connect NAME") != std::string::npos);
  CHECK(state.interpret("//hello").what == kind::refused);  // a message, and no chat to send it to
  CHECK(state.interpret("who").what == kind::command);
  CHECK(state.interpret("connect Elias").what == kind::command);
  CHECK(state.interpret("/hello").what == kind::command);  // a slash: sent as typed, the server answers
  CHECK(state.interpret("MSG hi").what == kind::message);  // sent: the server says there is no chat
  state.observe("OK CONNECTED Elias");
  CHECK(state.interpret("hello there").what == kind::message);  // in a chat: a message
}
