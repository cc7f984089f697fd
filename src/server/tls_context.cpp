#include "server/tls_context.hpp"

#include <openssl/ssl.h>

#include <stdexcept>

namespace chat::server {
namespace {

std::string failure(const std::string& what, const std::string& file, const asio::error_code& ec) {
  return "cannot " + what + " " + file + ": " + ec.message();
}

}  // namespace

std::shared_ptr<asio::ssl::context> make_server_context(const std::string& cert_file, const std::string& key_file) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  auto* native = ctx->native_handle();
  // TLS 1.2 and 1.3 only; OpenSSL 3 has no SSLv2/3 and refuses compression by default,
  // but saying so keeps the rule visible and independent of a distribution's build.
  ::SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  ::SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  asio::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) throw std::runtime_error(failure("load the certificate chain", cert_file, ec));
  ctx->use_private_key_file(key_file, asio::ssl::context::pem, ec);
  if (ec) throw std::runtime_error(failure("load the private key", key_file, ec));
  if (::SSL_CTX_check_private_key(native) != 1) {
    throw std::runtime_error("the private key " + key_file + " does not belong to the certificate " + cert_file);
  }
  return ctx;
}

tls_context_holder::tls_context_holder(std::string cert_file, std::string key_file)
    : cert_file_(std::move(cert_file)),
      key_file_(std::move(key_file)),
      current_(make_server_context(cert_file_, key_file_)) {}

std::shared_ptr<asio::ssl::context> tls_context_holder::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::string tls_context_holder::reload() {
  std::shared_ptr<asio::ssl::context> fresh;
  try {
    // Read outside the lock: handshakes starting meanwhile take the old context.
    fresh = make_server_context(cert_file_, key_file_);
  } catch (const std::exception& e) {
    return e.what();
  }
  std::lock_guard lock(mutex_);
  current_ = std::move(fresh);
  return {};
}

}  // namespace chat::server
