// The server's TLS settings as an OpenSSL context, and their reload on SIGHUP.
#pragma once

#include <asio/ssl/context.hpp>
#include <memory>
#include <mutex>
#include <string>

namespace chat::server {

// Builds a server context from a PEM certificate chain and a PEM private key,
// with the settings every handshake shares: TLS 1.2 at least (RFC 8996
// deprecates 1.0 and 1.1), OpenSSL 3's default cipher lists (forward-secret
// AEAD suites only at its default security level), the server's cipher order,
// no compression (CRIME) and no renegotiation. Throws std::runtime_error
// naming the file and OpenSSL's reason when a file cannot be read, or when the
// key does not belong to the certificate.
std::shared_ptr<asio::ssl::context> make_server_context(const std::string& cert_file, const std::string& key_file);

// The context new handshakes use. A session holds the context it shook hands
// with (a shared_ptr) for as long as it lives, so replacing the current one
// never touches an existing connection. Thread-safe.
class tls_context_holder {
 public:
  // Loads the files; throws as make_server_context does.
  tls_context_holder(std::string cert_file, std::string key_file);

  std::shared_ptr<asio::ssl::context> current() const;

  // Reads the files again. On success new handshakes use the new context and
  // this returns an empty string; otherwise the old context stays and the
  // reason is returned.
  std::string reload();

 private:
  const std::string cert_file_;
  const std::string key_file_;
  mutable std::mutex mutex_;
  std::shared_ptr<asio::ssl::context> current_;
};

}  // namespace chat::server
