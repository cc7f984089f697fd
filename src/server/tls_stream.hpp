// The session's transport seam (plain_stream.hpp describes it) over TLS, with
// asio::ssl on OpenSSL. What differs from plain TCP, and why:
//
//   async_wait_readable  reads into the stream's own buffer: OpenSSL keeps
//                        decrypted bytes the socket no longer shows, and a TLS
//                        1.3 record may wake the socket with nothing for us.
//                        read_some then hands out those bytes first. An idle
//                        TLS session therefore holds that buffer (16 KiB) beside
//                        asio's own two record buffers (17 KiB each).
//   write_some           takes nothing (would_block): asio's synchronous SSL
//                        write would, on a non-blocking socket, lose the part
//                        of a record the kernel did not take; every batch goes
//                        through async_write, which writes whole records.
//   shutdown_send        marks the stream closing; the next async_read_some
//                        (the graceful-close discard loop) sends close_notify
//                        and waits for the peer's, or its EOF, then completes
//                        with an error, which ends the loop.
//
// Every operation runs on the session's strand: asio::ssl allows one read and
// one write in flight at a time, which the session keeps to (one reader, one
// writer). The context is held for the stream's lifetime, so a SIGHUP reload
// that replaces the server's context leaves this connection alone.
#pragma once

#include <algorithm>
#include <asio/ssl.hpp>
#include <cstring>
#include <memory>
#include <type_traits>
#include <utility>

#include "chat/net.hpp"
#include "server/read_buffer.hpp"

namespace chat::server {

class tls_stream {
 public:
  using socket_type = asio::basic_stream_socket<tcp, strand>;

  tls_stream(socket_type socket, std::shared_ptr<asio::ssl::context> context)
      : context_(std::move(context)), ssl_(std::move(socket), *context_) {
    asio::error_code ec;
    ssl_.next_layer().set_option(tcp::no_delay(true), ec);
  }

  // The server's half of the handshake; token's signature is void(error_code).
  // The caller bounds it in time (server: --tls-handshake-timeout).
  template <typename Token>
  decltype(auto) async_handshake(Token&& token) {
    return ssl_.async_handshake(asio::ssl::stream_base::server, std::forward<Token>(token));
  }

  template <typename Handler>
  void async_wait_readable(Handler&& handler) {
    using handler_type = std::decay_t<Handler>;
    handler_type h(std::forward<Handler>(handler));
    if (begin_ < end_) {
      // Bytes are already here (read_some was not asked for all of them).
      asio::post(ssl_.get_executor(), [h = std::move(h)]() mutable { h(asio::error_code{}); });
      return;
    }
    auto slot = asio::get_associated_cancellation_slot(h);
    auto allocator = asio::get_associated_allocator(h);
    ssl_.async_read_some(
        asio::buffer(buffer_.data(), read_buffer::size),
        asio::bind_cancellation_slot(
            slot, asio::bind_allocator(allocator, [this, h = std::move(h)](asio::error_code ec, std::size_t n) mutable {
              begin_ = 0;
              end_ = ec ? 0 : n;
              h(ec);
            })));
  }

  // Hands out what the last wait read; would_block once it is all taken.
  std::size_t read_some(asio::mutable_buffer buffer, asio::error_code& ec) {
    if (begin_ == end_) {
      ec = asio::error::would_block;
      return 0;
    }
    ec = {};
    const auto n = std::min(buffer.size(), end_ - begin_);
    std::memcpy(buffer.data(), buffer_.data() + begin_, n);
    begin_ += n;
    return n;
  }

  template <typename Buffers>
  std::size_t write_some(const Buffers&, asio::error_code& ec) {
    ec = asio::error::would_block;
    return 0;
  }
  template <typename Buffers, typename Token>
  decltype(auto) async_write(const Buffers& buffers, Token&& token) {
    return asio::async_write(ssl_, buffers, std::forward<Token>(token));
  }
  template <typename Token>
  decltype(auto) async_read_some(asio::mutable_buffer buffer, Token&& token) {
    return asio::async_initiate<Token, void(asio::error_code, std::size_t)>(
        [this, buffer](auto handler) {
          if (!closing_ || shutdown_started_) {
            ssl_.async_read_some(buffer, std::move(handler));
            return;
          }
          shutdown_started_ = true;
          auto ex = asio::get_associated_executor(handler, ssl_.get_executor());
          ssl_.async_shutdown(asio::bind_executor(ex, [h = std::move(handler)](asio::error_code ec) mutable {
            // Done either way: the peer answered close_notify (success), closed, or sent more.
            h(ec ? ec : asio::error_code(asio::error::eof), std::size_t{0});
          }));
        },
        token);
  }

  tcp::endpoint remote_endpoint() const {
    asio::error_code ec;
    return socket().remote_endpoint(ec);
  }
  bool is_open() const { return socket().is_open(); }
  void shutdown_send() { closing_ = true; }
  void close() {
    asio::error_code ec;
    if (!socket().is_open()) return;
    ssl_.next_layer().shutdown(tcp::socket::shutdown_both, ec);
    ssl_.next_layer().close(ec);
  }
  void reset() {
    asio::error_code ec;
    ssl_.next_layer().set_option(asio::socket_base::linger(true, 0), ec);
    ssl_.next_layer().close(ec);
  }

  // The negotiated protocol version ("TLSv1.3"), for the log.
  const char* version() { return ::SSL_get_version(ssl_.native_handle()); }

 private:
  const socket_type& socket() const { return ssl_.next_layer(); }

  std::shared_ptr<asio::ssl::context> context_;  // before ssl_: the stream is made from it
  asio::ssl::stream<socket_type> ssl_;
  read_buffer buffer_;  // what async_wait_readable read, handed out by read_some
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool closing_ = false;
  bool shutdown_started_ = false;
};

}  // namespace chat::server
