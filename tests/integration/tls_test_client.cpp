#include "tls_test_client.hpp"

#include <openssl/ssl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <random>
#include <stdexcept>

#include "test_client.hpp"

namespace chat::test {

namespace {

std::filesystem::path make_scratch_path() {
  std::random_device random;
  auto path = std::filesystem::temp_directory_path() /
              ("chat-tls-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
  std::filesystem::create_directories(path);
  return path;
}

}  // namespace

const std::filesystem::path& test_certs() {
  static const std::filesystem::path dir = [] {
    if (const char* made = std::getenv("CHAT_TLS_CERTS"); made != nullptr && *made != '\0') {
      return std::filesystem::path(made);
    }
    static scratch_dir own;
    const auto command = std::string("sh '") + CHAT_SOURCE_DIR + "/tests/support/make_test_certs.sh' '" +
                         own.path().string() + "/certs'";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
    return own.path() / "certs";
  }();
  return dir;
}

scratch_dir::scratch_dir() : path_(make_scratch_path()) {}

scratch_dir::~scratch_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

template <typename Start>
asio::error_code tls_test_client::run(Start start) {
  asio::error_code result = asio::error::timed_out;
  bool done = false;
  start([&](const asio::error_code& ec, auto&&...) {
    result = ec;
    done = true;
  });
  io_.restart();
  io_.run_for(read_timeout);
  if (!done) {
    asio::error_code ignored;
    stream_.lowest_layer().close(ignored);
    io_.restart();
    io_.run();
  }
  return done ? result : asio::error::timed_out;
}

tls_test_client::tls_test_client(std::uint16_t port, std::string host, bool read_greeting)
    : context_(asio::ssl::context::tls_client), stream_(io_, context_) {
  context_.load_verify_file((test_certs() / "ca.pem").string());
  stream_.set_verify_mode(asio::ssl::verify_peer);
  stream_.set_verify_callback(asio::ssl::host_name_verification(host));
  asio::error_code ec;
  stream_.lowest_layer().connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), ec);
  REQUIRE_FALSE(ec);
  stream_.lowest_layer().set_option(tcp::no_delay(true), ec);
  handshake_error_ = run([&](auto handler) { stream_.async_handshake(asio::ssl::stream_base::client, handler); });
  if (read_greeting && !handshake_error_) expect_greeting();
}

std::string tls_test_client::peer_subject() {
  X509* cert = ::SSL_get1_peer_certificate(stream_.native_handle());
  if (cert == nullptr) return {};
  char text[256];
  ::X509_NAME_oneline(::X509_get_subject_name(cert), text, sizeof text);
  ::X509_free(cert);
  return text;
}

std::string tls_test_client::protocol_version() {
  return ::SSL_get_version(stream_.native_handle());
}

bool tls_test_client::send_bytes(std::string_view bytes) {
  return !run([&](auto handler) { asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()), handler); });
}

std::optional<std::string> tls_test_client::next_line() {
  std::size_t n = 0;
  const auto ec = run([&](auto handler) {
    asio::async_read_until(stream_, asio::dynamic_buffer(buffer_), '\n',
                           [&n, handler](const asio::error_code& e, std::size_t got) {
                             n = got;
                             handler(e);
                           });
  });
  if (ec) return std::nullopt;
  auto line = buffer_.substr(0, n - 1);
  buffer_.erase(0, n);
  return line;
}

}  // namespace chat::test
