// The server's TLS side (server.hpp): each accepted connection shakes hands on
// its own strand within the handshake timeout, then becomes an ordinary session
// over tls_stream; and SIGHUP's reload of the certificate and key.
#include <spdlog/spdlog.h>

#include <asio/experimental/awaitable_operators.hpp>

#include "chat/completion.hpp"
#include "chat/server.hpp"
#include "chat/session.hpp"
#include "chat/tls_context.hpp"
#include "chat/tls_stream.hpp"

namespace chat {

void server::start_tls(asio::basic_stream_socket<tcp, strand> socket, const strand& ex, session_id id,
                       std::shared_ptr<void> ticket) {
  // The context current now: a reload during the handshake does not change it.
  tls_stream stream(std::move(socket), tls_->current());
  asio::co_spawn(ex, handshake_then_start(std::move(stream), ex, id, std::move(ticket)),
                 log_exception{"TLS handshake"});
}

awaitable<void> server::handshake_then_start(tls_stream stream, strand ex, session_id id,
                                             std::shared_ptr<void> ticket) {
  using namespace asio::experimental::awaitable_operators;
  const auto from = stream.remote_endpoint();
  // A client that stalls mid-handshake (or a plain client that waits for HELLO)
  // would otherwise hold its descriptor and its place under --max-clients for ever.
  asio::steady_timer deadline(ex, config_.tls.handshake_timeout);
  auto done = co_await (stream.async_handshake(use_tuple) || deadline.async_wait(use_tuple));
  const asio::error_code ec = done.index() == 0 ? std::get<0>(std::get<0>(done)) : asio::error::timed_out;
  if (ec) {
    // Counted with the clients turned away: it never became a session.
    stats_.turned_away.fetch_add(1, std::memory_order_relaxed);
    spdlog::info("TLS handshake with {} failed: {}", from,
                 ec == asio::error::timed_out ? "not finished within --tls-handshake-timeout" : ec.message());
    stream.reset();
    co_return;
  }
  const char* version = stream.version();
  auto s =
      std::make_shared<session<tls_stream>>(std::move(stream), ex, id, router_, limits_, stats_, std::move(ticket));
  spdlog::info("session {} opened ({})", s->describe(), version);
  // Started from the listener's strand, as a plain session is: a shutdown begun
  // meanwhile (the router may be gone) ends it here instead.
  asio::post(strand_, [this, s = std::move(s)] {
    if (!stopping_) s->start();
  });
}

bool server::reload_tls() {
  if (!tls_) {
    spdlog::info("no TLS certificate to reload");
    return false;
  }
  if (auto why = tls_->reload(); !why.empty()) {
    spdlog::error("TLS reload failed, keeping the current certificate: {}", why);
    return false;
  }
  spdlog::info("TLS certificate {} and key {} reloaded: new handshakes use them", config_.tls.cert_file,
               config_.tls.key_file);
  return true;
}

}  // namespace chat
