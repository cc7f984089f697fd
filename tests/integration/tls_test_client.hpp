// Test-side TLS: the test certificates (tests/support/make_test_certs.sh) and a
// blocking TLS client whose every operation has a deadline, so a broken server
// fails a test instead of hanging it.
#pragma once

#include <asio/ssl.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "chat/net.hpp"
#include "line_client.hpp"

namespace chat::test {

// The folder holding the test certificates: $CHAT_TLS_CERTS (ctest's fixture makes
// them once), else made now in a temporary folder for this process.
const std::filesystem::path& test_certs();

// A temporary folder removed with the object (the certificate files a reload test rewrites).
class scratch_dir {
 public:
  scratch_dir();
  ~scratch_dir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class tls_test_client final : public line_client {
 public:
  // Connects and shakes hands, trusting the test CA and checking the name `host`;
  // handshake_error() says how that went. Reads the greeting when asked and the handshake worked.
  explicit tls_test_client(std::uint16_t port, std::string host = "localhost", bool read_greeting = true);

  asio::error_code handshake_error() const { return handshake_error_; }
  // "/CN=tcp-chat test server": the subject of the certificate the server presented.
  std::string peer_subject();
  std::string protocol_version();

  bool send_bytes(std::string_view bytes) override;
  std::optional<std::string> next_line() override;

 private:
  // Runs the operation started by `start` (which gets a completion handler) until it
  // completes or the read timeout passes (then closes the socket); returns its error.
  template <typename Start>
  asio::error_code run(Start start);

  asio::io_context io_;
  asio::ssl::context context_;
  asio::ssl::stream<tcp::socket> stream_;
  asio::error_code handshake_error_;
};

}  // namespace chat::test
