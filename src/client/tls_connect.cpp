#include "client/tls_connect.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <asio/experimental/awaitable_operators.hpp>
#include <chrono>
#include <cstdio>
#include <memory>

#include "client/frame_allocation_warning.hpp"

namespace chat::client {
namespace {

using namespace asio::experimental::awaitable_operators;

// As long as the wait for the greeting: a server that accepts and never answers is as good as gone.
constexpr std::chrono::seconds handshake_timeout{10};

bool is_address(const std::string& host) {
  asio::error_code ec;
  (void)asio::ip::make_address(host, ec);
  return !ec;
}

// What a certificate names, "DNS:a.example, IP:127.0.0.1", for a name-mismatch message.
std::string names_in(X509* cert) {
  std::string names;
  auto* sans = static_cast<GENERAL_NAMES*>(::X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans, i);
    std::string entry;
    if (name->type == GEN_DNS) {
      entry = "DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName)),
                                   static_cast<std::size_t>(ASN1_STRING_length(name->d.dNSName)));
    } else if (name->type == GEN_IPADD) {
      const auto* bytes = ASN1_STRING_get0_data(name->d.iPAddress);
      const auto length = ASN1_STRING_length(name->d.iPAddress);
      if (length == 4) {
        entry = "IP:" + asio::ip::address_v4({bytes[0], bytes[1], bytes[2], bytes[3]}).to_string();
      } else if (length == 16) {
        asio::ip::address_v6::bytes_type v6{};
        std::copy(bytes, bytes + 16, v6.begin());
        entry = "IP:" + asio::ip::address_v6(v6).to_string();
      }
    }
    if (entry.empty()) continue;
    names += (names.empty() ? "" : ", ") + entry;
  }
  GENERAL_NAMES_free(sans);
  return names.empty() ? "no DNS or IP names" : names;
}

std::string not_after(X509* cert) {
  BIO* bio = ::BIO_new(::BIO_s_mem());
  ::ASN1_TIME_print(bio, ::X509_get0_notAfter(cert));
  char* data = nullptr;
  const auto size = ::BIO_get_mem_data(bio, &data);
  std::string text(data, static_cast<std::size_t>(size));
  ::BIO_free(bio);
  return text;
}

// The certificate check: OpenSSL's chain verification (trusted CA, dates), then
// asio's host_name_verification on the server's own certificate. A name that
// does not match is recorded as OpenSSL's own mismatch error, so that the
// handshake's verify result says why; `detail` gets the words to show with it.
class verify_server {
 public:
  verify_server(std::string host, std::shared_ptr<std::string> detail)
      : host_(std::move(host)), by_name_(host_), detail_(std::move(detail)) {}

  bool operator()(bool preverified, asio::ssl::verify_context& ctx) const {
    X509_STORE_CTX* store = ctx.native_handle();
    X509* cert = ::X509_STORE_CTX_get_current_cert(store);
    if (!preverified) {
      const int error = ::X509_STORE_CTX_get_error(store);
      if (cert != nullptr && (error == X509_V_ERR_CERT_HAS_EXPIRED || error == X509_V_ERR_CERT_NOT_YET_VALID)) {
        *detail_ = " (valid until " + not_after(cert) + ")";
      } else if (error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
                 error == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN || error == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT) {
        *detail_ = " (its CA is not trusted: name the CA's certificate with --ca-file)";
      }
      return false;
    }
    if (by_name_(preverified, ctx)) return true;
    ::X509_STORE_CTX_set_error(store,
                               is_address(host_) ? X509_V_ERR_IP_ADDRESS_MISMATCH : X509_V_ERR_HOSTNAME_MISMATCH);
    *detail_ = ": it is for " + names_in(cert) + ", not " + host_;
    return false;
  }

 private:
  std::string host_;
  asio::ssl::host_name_verification by_name_;
  std::shared_ptr<std::string> detail_;
};

}  // namespace

CHAT_FRAME_ALLOCATION_WARNING_OFF  // client/frame_allocation_warning.hpp
    awaitable<connect_result>
    connect_to_server(std::string host, std::uint16_t port, tls_client_options tls) {
  connect_result result;
  auto [connect_ec, socket] = co_await server_connection::connect(host, port);
  if (connect_ec) {
    result.why = connect_ec.message();
    co_return result;
  }
  if (!tls.enabled) {
    result.connection.emplace(std::move(socket));
    co_return result;
  }

  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  ::SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  asio::error_code ec;
  if (!tls.ca_file.empty()) {
    context->load_verify_file(tls.ca_file, ec);
    if (ec) {
      result.why = "cannot read --ca-file " + tls.ca_file + ": " + ec.message();
      co_return result;
    }
  } else {
    context->set_default_verify_paths(ec);
  }
  server_connection::tls_socket stream(std::move(socket), *context);
  auto detail = std::make_shared<std::string>();
  if (tls.insecure) {
    std::fputs(
        "chat-client: WARNING: --insecure: the server's certificate is NOT checked. Anyone between you and the "
        "server can pose as it and read and change this chat.\n",
        stderr);
    stream.set_verify_mode(asio::ssl::verify_none);
  } else {
    stream.set_verify_mode(asio::ssl::verify_peer);
    stream.set_verify_callback(verify_server(host, detail));
  }
  // SNI names a host, never an address (RFC 6066, section 3).
  if (!is_address(host)) ::SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());

  asio::steady_timer timer(co_await asio::this_coro::executor, handshake_timeout);
  auto done =
      co_await (stream.async_handshake(asio::ssl::stream_base::client, use_tuple) || timer.async_wait(use_tuple));
  if (done.index() == 1) {
    result.why = "the TLS handshake did not finish within " + std::to_string(handshake_timeout.count()) + " s";
    co_return result;
  }
  if (const auto handshake_ec = std::get<0>(std::get<0>(done))) {
    const auto verified = ::SSL_get_verify_result(stream.native_handle());
    if (verified != X509_V_OK) {
      result.why =
          std::string("the server's certificate is refused: ") + ::X509_verify_cert_error_string(verified) + *detail;
    } else if (handshake_ec.category() == asio::error::get_ssl_category()) {
      result.why = "TLS handshake failed: " + handshake_ec.message() + " (is " + std::to_string(port) +
                   " the server's TLS port?)";
    } else {
      result.why = "TLS handshake failed: " + handshake_ec.message();
    }
    co_return result;
  }
  result.connection.emplace(std::move(context), std::move(stream));
  co_return result;
}
CHAT_FRAME_ALLOCATION_WARNING_ON

}  // namespace chat::client
