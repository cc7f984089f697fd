// What chat-server is told about TLS (docs/operations.md, TLS): a second listening port
// whose connections are the same sessions over TLS.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace chat::server {

struct tls_config {
  // TLS is served when a certificate is given; both files are PEM.
  std::string cert_file;      // the server's certificate, then any intermediates (a chain file)
  std::string key_file;       // its private key, unencrypted (the server reads it again on SIGHUP)
  std::uint16_t port = 5556;  // 0 picks a free one (tests)
  // A client that has not finished its handshake by then is cut.
  std::chrono::milliseconds handshake_timeout{std::chrono::seconds(10)};
  bool plain = true;  // false (--no-plain): serve only TLS, no plain TCP port

  bool enabled() const { return !cert_file.empty(); }
};

}  // namespace chat::server
