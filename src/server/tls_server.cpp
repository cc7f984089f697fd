// The server's TLS side (server.hpp): each accepted connection shakes hands on
// its own strand within the handshake timeout, then becomes an ordinary session
// over tls_stream; and SIGHUP's reload of the certificate and key.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <asio/experimental/awaitable_operators.hpp>
#include <chrono>
#include <functional>

#include "server/completion.hpp"
#include "server/server.hpp"
#include "server/session.hpp"
#include "server/tls_context.hpp"
#include "server/tls_stream.hpp"

namespace chat::server {
namespace {

// Returns once `deadline` has passed or `stopping()` holds (checked every
// 100 ms), whichever is first: a shutdown must not wait for a stalled handshake.
awaitable<void> watch_handshake(strand ex, std::chrono::steady_clock::time_point deadline,
                                std::function<bool()> stopping) {
  asio::steady_timer timer(ex);
  while (std::chrono::steady_clock::now() < deadline && !stopping()) {
    timer.expires_after(std::min<std::chrono::steady_clock::duration>(deadline - std::chrono::steady_clock::now(),
                                                                      std::chrono::milliseconds(100)));
    auto [ec] = co_await timer.async_wait(use_tuple);
    if (ec) co_return;  // cancelled: the handshake finished first
  }
}

}  // namespace

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
  // Nor may it hold up a graceful shutdown.
  auto stopping = [state = lifecycle_] {
    std::lock_guard lock(state->mutex);
    return state->stopping;
  };
  auto done =
      co_await (stream.async_handshake(use_tuple) ||
                watch_handshake(ex, std::chrono::steady_clock::now() + config_.tls.handshake_timeout, stopping));
  const asio::error_code ec = done.index() == 0 ? std::get<0>(std::get<0>(done))
                              : stopping()      ? asio::error::shut_down
                                                : asio::error::timed_out;
  if (ec) {
    stats_.tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
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

}  // namespace chat::server
