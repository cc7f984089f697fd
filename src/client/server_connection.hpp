// The client's end of one TCP connection to chat-server, plain or TLS
// (tls_connect.hpp makes the TLS one): connect, read lines, write lines. Whoever
// owns it must keep to one read and one write at a time (asio allows one
// outstanding async_write per socket, and asio::ssl one read and one write);
// both modes read from one coroutine and write from another.
#pragma once

#include <asio/ssl.hpp>
#include <memory>
#include <string>
#include <tuple>
#include <variant>

#include "chat/net.hpp"
#include "chat/protocol.hpp"

namespace chat::client {

// The longest server line accepted, LF included: the longest any chat-server sends,
// whatever its --max-line (docs/protocol.md, Framing), and a peer cannot make us buffer without bound.
inline constexpr std::size_t max_server_line = protocol::max_server_line(protocol::max_max_line) + 1;

// Why read_line failed, in words for the user.
std::string describe_read_error(const asio::error_code& ec);

class server_connection {
 public:
  using tls_socket = asio::ssl::stream<tcp::socket>;

  explicit server_connection(tcp::socket socket) : stream_(std::move(socket)) {}
  // A TLS connection after its handshake; `context` is the one `socket` was made with.
  server_connection(std::shared_ptr<asio::ssl::context> context, tls_socket socket)
      : context_(std::move(context)), stream_(std::move(socket)) {}

  // Resolves host and connects to the first address that answers.
  static awaitable<std::tuple<asio::error_code, tcp::socket>> connect(std::string host, std::uint16_t port);

  // The next line without its LF; eof, connection_reset or not_found (line too long) on failure.
  awaitable<std::tuple<asio::error_code, std::string>> read_line();

  // Sends one line; the LF is added here.
  awaitable<asio::error_code> write_line(std::string line);

  void close();

 private:
  std::shared_ptr<asio::ssl::context> context_;  // TLS only; outlives the stream made from it
  std::variant<tcp::socket, tls_socket> stream_;
  std::string read_buffer_;
};

}  // namespace chat::client
