#include <netinet/in.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <string>
#include <tuple>

#include "bench/engine.hpp"
#include "chat/display.hpp"

namespace chat::bench {

awaitable<void> engine::launch(worker& w, std::size_t first, std::size_t step) {
  for (auto i = first; i < w.clients.size(); i += step) {
    if (s_.failed.load(std::memory_order_relaxed) || s_.get_phase() >= phase::drain) co_return;
    auto& c = *w.clients[i];
    if (!co_await connect(c)) co_return;
    asio::co_spawn(w.io, read_loop(c), [this, &c](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        fail(c, std::string("reader failed: ") + x.what());
      }
    });
  }
}

std::string engine::connect_error(const client& c, const asio::error_code& ec) const {
  const auto& server = s_.servers[c.server];
  const auto where = server.address().to_string() + ":" + std::to_string(server.port());
  const auto done = s_.connected.load();
  if (ec == asio::error::connection_refused) {
    if (done == 0)
      return "nothing listens on " + where + " (connection refused): start the server or fix --host/--port";
    return "connection refused by " + where + " after " + std::to_string(done) +
           " connections: its listen backlog overflowed or it stopped accepting";
  }
  if (ec.value() == EADDRNOTAVAIL) {
    return "out of local ports after " + std::to_string(done) +
           " connections (EADDRNOTAVAIL): spread clients over loopback addresses with --source-addrs "
           "127.0.0.1-127.0.0.8";
  }
  if (ec.value() == EMFILE || ec.value() == ENFILE) {
    rlimit l{};
    getrlimit(RLIMIT_NOFILE, &l);
    return "out of file descriptors after " + std::to_string(done) + " connections (soft limit " +
           std::to_string(l.rlim_cur) + "): raise `ulimit -n` or split the load over several chat-bench processes";
  }
  return "cannot connect to " + where + ": " + ec.message();
}

awaitable<bool> engine::connect(client& c) {
  asio::error_code ec;
  c.sock.open(s_.servers[c.server].protocol(), ec);
  if (!ec && !s_.sources.empty()) {
    const auto& src = s_.sources[c.index % s_.sources.size()];
    // Let connect() pick the port by the whole 4-tuple, not bind() by address alone.
    const int yes = 1;
    ::setsockopt(c.sock.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &yes, sizeof yes);
    c.sock.bind(tcp::endpoint(src, 0), ec);
  }
  if (ec) {
    s_.fatal(connect_error(c, ec));
    co_return false;
  }
  auto [cec] = co_await c.sock.async_connect(s_.servers[c.server], use_tuple);
  if (cec) {
    if (s_.get_phase() < phase::closing) s_.fatal(connect_error(c, cec));
    co_return false;
  }
  s_.connected.fetch_add(1, std::memory_order_relaxed);
  c.sock.set_option(tcp::no_delay(true), ec);
  c.sock.non_blocking(true, ec);
  if (s_.tls_context) {
    // A full handshake per connection (no session resumption): the setup rate is the handshake rate.
    c.tls = std::make_unique<asio::ssl::stream<tcp::socket&>>(c.sock, *s_.tls_context);
    auto [hec] = co_await c.tls->async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (hec) {
      if (s_.get_phase() < phase::closing) {
        const auto& server = s_.servers[c.server];
        s_.fatal("TLS handshake with " + server.address().to_string() + ":" + std::to_string(server.port()) +
                 " failed: " + hec.message() + " (is it chat-server's --tls-port?)");
      }
      co_return false;
    }
  }
  const bool idle = cfg().idle > 0;
  c.cap = idle ? idle_buffer : std::max(traffic_buffer, 2 * cfg().payload + 512);
  c.buf = std::make_unique<char[]>(c.cap);
  c.st = client::state::registering;
  send_raw(c, adapter_->hello(c));
  co_return true;
}

void engine::fail(client& c, std::string what, bool fatal) {
  c.owner.protocol_errors.add();
  // `what` may quote a server's line (any server: a foreign greeting): escaped as
  // chat-client shows server text, so no byte of it drives the terminal.
  s_.report(c.name + ": " + chat::client::escape_for_terminal(what), fatal);
}

awaitable<void> engine::read_loop(client& c) {
  bool drained = true;  // the last read_some left nothing behind: wait for the next edge
  for (;;) {
    asio::error_code ec;
    std::size_t n = 0;
    if (c.tls) {
      // OpenSSL holds decrypted bytes the socket no longer shows: read through it, never wait on the socket.
      std::tie(ec, n) = co_await c.tls->async_read_some(asio::buffer(c.buf.get() + c.len, c.cap - c.len), use_tuple);
      if (!ec && n == 0) ec = asio::error::eof;
    } else if (drained) {
      // Wait for readability rather than reading speculatively: a speculative read is one
      // more recvfrom per wake-up that returns EAGAIN whenever messages travel alone.
      std::tie(ec) = co_await c.sock.async_wait(tcp::socket::wait_read, use_tuple);
    }
    if (!ec && !c.tls) {
      n = c.sock.read_some(asio::buffer(c.buf.get() + c.len, c.cap - c.len), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) {
        drained = true;
        continue;
      }
      if (!ec && n == 0) ec = asio::error::eof;
    }
    if (ec) {
      if (s_.get_phase() < phase::closing && c.st != client::state::closed) {
        fail(c,
             ec == asio::error::eof ? std::string("server closed the connection") : "connection lost: " + ec.message());
      }
      c.st = client::state::closed;
      co_return;
    }
    // TCP hands over everything it holds up to the buffer's size: a short read drained the socket.
    drained = n < c.cap - c.len;
    c.len += n;
    const auto now = now_ns();
    const auto used = adapter_->process(c, c.buf.get(), c.len, now);
    if (used < c.len) std::memmove(c.buf.get(), c.buf.get() + used, c.len - used);
    c.len -= used;
    flush_dirty(c.owner);
    if (c.len == c.cap) {
      fail(c, "a line longer than " + std::to_string(c.cap) + " bytes");
      co_return;
    }
    if (c.st == client::state::closed) co_return;
  }
}

void engine::start_pairing(worker& w) {
  for (auto& c : w.clients) {
    if (!c->initiator) continue;
    send_raw(*c, adapter_->pair_request(*c));
  }
}

void engine::close_all(worker& w) {
  for (auto& c : w.clients) {
    if (c->partner) c->checker.finish(c->partner->sent);
    asio::error_code ec;
    c->st = client::state::closed;
    if (c->sock.is_open()) {
      c->sock.shutdown(tcp::socket::shutdown_both, ec);
      c->sock.close(ec);
    }
  }
}

}  // namespace chat::bench
