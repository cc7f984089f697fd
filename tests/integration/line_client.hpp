// What the plain and the TLS test clients share: blocking line I/O whose every read has a
// deadline, and the checks built on it (greeting, ask, register). A transport supplies
// send_bytes() and next_line(); both stay free of Catch's macros (which are not thread-safe),
// so a test's helper threads may call them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chat::test {

class line_client {
 public:
  virtual ~line_client() = default;

  // False when sending fails.
  virtual bool send_bytes(std::string_view bytes) = 0;
  // The next line without its LF; nullopt when none arrives in time or the connection ends.
  virtual std::optional<std::string> next_line() = 0;

  // The same, failing the test instead of returning false / nullopt.
  void send(std::string_view bytes);
  std::string line();
  // Sends a line (adding LF) and returns the next line received.
  std::string ask(std::string_view command);
  // Registers and checks the reply.
  void register_as(std::string_view name);

 protected:
  line_client() = default;
  line_client(line_client&&) noexcept = default;
  line_client& operator=(line_client&&) noexcept = default;

  // Reads the HELLO greeting and checks it.
  void expect_greeting();

  std::string buffer_;  // bytes received after the last complete line
};

}  // namespace chat::test
