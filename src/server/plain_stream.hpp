// The session's transport seam, for plain TCP. A session reads and writes only
// through these members, so another transport (TLS) can stand in for it:
//
//   async_wait_readable(h)   h(error_code) once read_some can return bytes without
//                            waiting; an idle connection holds no buffer and no
//                            coroutine frame while it waits (the idle-memory target)
//   read_some(buffer, ec)    non-blocking; ec = would_block when nothing is ready
//   write_some(buffers, ec)  non-blocking gathered write of what the kernel takes now
//   async_write(buffers, h)  writes all of a buffer sequence; h(error_code, bytes)
//   async_read_some(b, h)    the discard loop of a graceful close
//   shutdown_send(), close(), reset(), is_open(), remote_endpoint()
//
// A TLS stream cannot wait for socket readiness and then read (OpenSSL buffers
// decrypted bytes, and TLS 1.3 tickets wake the socket without data), so its
// async_wait_readable would read into its own buffer: the idle-memory trick
// lives here, behind the seam, and the bound holds for plain TCP.
#pragma once

#include <utility>

#include "chat/net.hpp"

namespace chat::server {

class plain_stream {
 public:
  using socket_type = asio::basic_stream_socket<tcp, strand>;  // a concrete executor: no boxed copies

  explicit plain_stream(socket_type socket) : socket_(std::move(socket)) {
    asio::error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    socket_.non_blocking(true, ec);
  }

  template <typename Handler>
  void async_wait_readable(Handler&& handler) {
    socket_.async_wait(tcp::socket::wait_read, std::forward<Handler>(handler));
  }
  std::size_t read_some(asio::mutable_buffer buffer, asio::error_code& ec) { return socket_.read_some(buffer, ec); }
  template <typename Buffers>
  std::size_t write_some(const Buffers& buffers, asio::error_code& ec) {
    return socket_.write_some(buffers, ec);
  }
  template <typename Buffers, typename Token>
  decltype(auto) async_write(const Buffers& buffers, Token&& token) {
    return asio::async_write(socket_, buffers, std::forward<Token>(token));
  }
  template <typename Token>
  decltype(auto) async_read_some(asio::mutable_buffer buffer, Token&& token) {
    return socket_.async_read_some(buffer, std::forward<Token>(token));
  }

  tcp::endpoint remote_endpoint() const {
    asio::error_code ec;
    return socket_.remote_endpoint(ec);
  }
  bool is_open() const { return socket_.is_open(); }
  void shutdown_send() {
    asio::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
  }
  void close() {
    asio::error_code ec;
    if (!socket_.is_open()) return;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }
  // Closes with a reset rather than FIN: the kernel would otherwise keep the
  // unread backlog and go on trickling it to a client that does not read.
  void reset() {
    asio::error_code ec;
    socket_.set_option(asio::socket_base::linger(true, 0), ec);
    socket_.close(ec);
  }

 private:
  socket_type socket_;
};

}  // namespace chat::server
