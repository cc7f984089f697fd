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

TEST_CASE("before registering a plain word is the name wanted", "[chat_state]") {
  chat_state state;
  CHECK(state.to_send("Noy") == "REGISTER Noy");
  CHECK(state.to_send("REGISTER Noy") == "REGISTER Noy");
  CHECK(state.to_send("who") == "who");
  CHECK(state.to_send("/who") == "who");
  CHECK(state.to_send("not a name") == "REGISTER not a name");  // the server answers INVALID_NAME
  state.observe("ERR NAME_TAKEN that name is in use");
  CHECK(state.to_send("Noy2") == "REGISTER Noy2");
  state.observe("OK REGISTERED Noy2");
  CHECK(state.to_send("Noy") == "Noy");
}

TEST_CASE("outside a chat lines go out as typed, / commands without the slash", "[chat_state]") {
  chat_state state;
  state.observe("OK REGISTERED Noy");
  CHECK(state.to_send("connect Elias") == "connect Elias");
  CHECK(state.to_send("WHO") == "WHO");
  CHECK(state.to_send("/connect Elias") == "connect Elias");
  CHECK(state.to_send("/quit") == "quit");
}

TEST_CASE("inside a chat lines are messages unless a command", "[chat_state]") {
  chat_state state;
  state.observe("OK REGISTERED Noy");
  state.observe("OK CONNECTED Elias");
  // Typed line, and the line that goes out.
  const auto [typed, sent] = GENERATE(table<std::string, std::string>({
      {"who is there?", "MSG who is there?"},
      {"hello", "MSG hello"},
      {"Who", "MSG Who"},
      {"WHO", "WHO"},
      {"WHO E", "WHO E"},
      {"MSG hi", "MSG hi"},
      {"DISCONNECT", "DISCONNECT"},
      {"QUIT", "QUIT"},
      {"WHOEVER said that", "MSG WHOEVER said that"},
      {"/who", "who"},
      {"/disconnect", "disconnect"},
      {"  indented", "MSG   indented"},
  }));
  INFO(typed);
  CHECK(state.to_send(typed) == sent);
}

TEST_CASE("outside a chat, plain text gets a local hint instead of going out", "[chat_state]") {
  chat::client::chat_state state;
  CHECK_FALSE(state.hint("hello there"));  // not registered: the name wanted
  state.observe("OK REGISTERED Noy");
  const auto hint = state.hint("hello there");
  REQUIRE(hint);
  CHECK(hint->find("/connect NAME") != std::string::npos);
  CHECK_FALSE(state.hint("who"));
  CHECK_FALSE(state.hint("connect Elias"));
  CHECK_FALSE(state.hint("/hello"));  // a slash: sent as typed, the server answers
  state.observe("OK CONNECTED Elias");
  CHECK_FALSE(state.hint("hello there"));  // in a chat: a message
  CHECK(chat::client::chat_state::is_message("msg hi"));
  CHECK(chat::client::chat_state::is_message("MSG hi"));
  CHECK_FALSE(chat::client::chat_state::is_message("who"));
}
