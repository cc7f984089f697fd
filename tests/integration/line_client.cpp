#include "line_client.hpp"

#include <catch2/catch.hpp>

namespace chat::test {

void line_client::send(std::string_view bytes) {
  REQUIRE(send_bytes(bytes));
}

std::string line_client::line() {
  auto next = next_line();
  INFO("no line in time (or the connection closed); have: " << buffer_);
  REQUIRE(next.has_value());
  return *next;
}

std::string line_client::ask(std::string_view command) {
  send(std::string(command) + "\n");
  return line();
}

void line_client::register_as(std::string_view name) {
  REQUIRE(ask("REGISTER " + std::string(name)) == "OK REGISTERED " + std::string(name));
}

void line_client::expect_greeting() {
  const auto greeting = line();
  INFO("greeting: " << greeting);
  REQUIRE(greeting.starts_with("HELLO CHAT/1 "));
}

}  // namespace chat::test
