#include "server/server.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <csignal>

#include "chat/fd_limit.hpp"
#include "server/completion.hpp"
#include "server/listen_error.hpp"
#include "server/plain_stream.hpp"
#include "server/session.hpp"
#include "server/tls_context.hpp"

namespace chat::server {
namespace {

std::size_t pool_size(std::size_t requested) {
  if (requested > 0) return requested;
  const auto cores = ::sysconf(_SC_NPROCESSORS_ONLN);
  return cores > 0 ? static_cast<std::size_t>(cores) : 1;
}

// Opens, binds and listens; returns the bound endpoint (the port chosen for port 0). Throws
// listen_error, naming `which` listener and where, if it cannot.
tcp::endpoint listen_on(tcp::acceptor& acceptor, const tcp::endpoint& wanted, std::size_t send_buffer, listener which) {
  try {
    acceptor.open(wanted.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    if (wanted.address().is_v6()) {
      // "::" serves IPv4 clients too, as users of a dual-stack host expect.
      acceptor.set_option(asio::ip::v6_only(false));
    }
    if (send_buffer > 0) {
      // Accepted sockets inherit it, with autotuning off: the kernel's share of a slow
      // consumer's cost stays fixed (slow_consumer.hpp, output_limits::kernel_send_buffer).
      acceptor.set_option(asio::socket_base::send_buffer_size(static_cast<int>(send_buffer)));
    }
    acceptor.bind(wanted);
    acceptor.listen(asio::socket_base::max_listen_connections);
    return acceptor.local_endpoint();
  } catch (const std::system_error& e) {
    // Asio's system category does not compare equal to std::errc; its values are errno's.
    const auto why = e.code().category() == asio::system_category()
                         ? std::error_code(e.code().value(), std::system_category())
                         : e.code();
    throw listen_error(which, wanted, why);
  }
}

}  // namespace

server::server(server_config config)
    : config_(std::move(config)),
      pool_(pool_size(config_.threads)),
      strand_(asio::make_strand(pool_executor_of(pool_))),
      acceptor_(strand_),
      tls_acceptor_(strand_),
      signals_(strand_),
      limits_{config_.max_line, config_.output, config_.msg_rate,
              config_.msg_burst > 0 ? config_.msg_burst : config_.msg_rate},
      router_(std::make_shared<router>(pool_executor_of(pool_),
                                       router_limits{config_.idle_timeout, config_.register_timeout,
                                                     config_.stats_interval, config_.shutdown_timeout},
                                       stats_, [this] { return live_sessions(); })) {
  stats_.time_outbox_waits = config_.metrics.enabled();  // the histogram costs two clock reads a batch
  const auto limit = raise_fd_limit();
  const auto capacity = limit.soft > reserved_fds ? limit.soft - reserved_fds : 1;
  max_clients_ = config_.max_clients == 0 ? capacity : config_.max_clients;
  if (config_.max_clients > capacity) {
    // Honoured as asked: past the limit accepts fail with EMFILE, and the accept loop backs off.
    spdlog::warn("--max-clients {} is more than the open-files limit ({}) allows: about {} fit", config_.max_clients,
                 limit.soft, capacity);
  }
  spdlog::info("open-files limit {} (hard {}): up to {} clients", limit.soft, limit.hard, max_clients_);

  const auto address = asio::ip::make_address(config_.host);
  if (config_.tls.enabled()) {
    // A certificate that cannot be loaded stops the start, like a busy port.
    tls_ = std::make_shared<tls_context_holder>(config_.tls.cert_file, config_.tls.key_file);
    tls_endpoint_ = listen_on(tls_acceptor_, tcp::endpoint(address, config_.tls.port),
                              config_.output.kernel_send_buffer, listener::tls);
  }
  if (!config_.tls.enabled() || config_.tls.plain) {
    endpoint_ =
        listen_on(acceptor_, tcp::endpoint(address, config_.port), config_.output.kernel_send_buffer, listener::plain);
  }
  if (config_.join_cluster) {
    // Before serving: a node that cannot join its cluster must not start (throws).
    const auto served = endpoint_.port() != 0 ? endpoint_ : tls_endpoint_;
    router_->attach(config_.join_cluster(*router_, fmt::format("{}", served)));
  }
}

server::~server() {
  stop();
  wait();
}

std::size_t server::live_sessions() const {
  std::lock_guard lock(lifecycle_->mutex);
  return lifecycle_->live;
}

void server::start() {
  {
    std::lock_guard lock(lifecycle_->mutex);
    lifecycle_->router_done = false;
  }
  // Signals first: once a client can be served, SIGTERM must already mean a graceful stop.
  if (config_.handle_signals) {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.add(SIGHUP);
    asio::co_spawn(strand_, watch_signals(), log_exception{"signal watcher"});
  }
  asio::co_spawn(router_->executor(), router_->run(), [state = lifecycle_](std::exception_ptr e) {
    log_exception{"router"}(e);
    std::lock_guard lock(state->mutex);
    state->router_done = true;
    state->changed.notify_all();
  });
  asio::co_spawn(router_->executor(), router_->sweep(), log_exception{"router sweep"});
  if (acceptor_.is_open()) asio::co_spawn(strand_, accept_loop(acceptor_, false), log_exception{"accept loop"});
  if (tls_) asio::co_spawn(strand_, accept_loop(tls_acceptor_, true), log_exception{"TLS accept loop"});
  // Scripts wait for this line: by now signals are handled and the router runs.
  // (With --no-plain it says "listening for TLS on", which a script waiting for the plain port does not take.)
  const auto threads = pool_size(config_.threads);
  if (!tls_) {
    spdlog::info("chat-server listening on {} with {} threads", endpoint_, threads);
  } else if (acceptor_.is_open()) {
    spdlog::info("chat-server listening on {} and TLS on {} with {} threads", endpoint_, tls_endpoint_, threads);
  } else {
    spdlog::info("chat-server listening for TLS on {} with {} threads", tls_endpoint_, threads);
  }
}

void server::stop() {
  asio::post(strand_, [this] { begin_shutdown(); });
}

bool server::wait() {
  std::unique_lock lock(lifecycle_->mutex);
  lifecycle_->changed.wait(lock, [&] { return lifecycle_->stopping; });
  const bool graceful = lifecycle_->changed.wait_for(lock, config_.shutdown_timeout,
                                                     [&] { return lifecycle_->live == 0 && lifecycle_->router_done; });
  lock.unlock();
  if (!graceful) {
    spdlog::warn("shutdown took longer than {} ms: forcing {} sessions closed", config_.shutdown_timeout.count(),
                 live_sessions());
    pool_.stop();
  }
  pool_.join();
  return graceful;
}

awaitable<void> server::watch_signals() {
  for (;;) {
    auto [ec, signal] = co_await signals_.async_wait(use_tuple);
    if (ec) co_return;  // cancelled by a shutdown from elsewhere
    if (signal == SIGHUP) {
      // What systemd's ExecReload sends: never a reason to stop, with or without TLS.
      spdlog::info("signal SIGHUP received");
      reload_tls();
      continue;
    }
    spdlog::info("signal {} received", signal == SIGINT ? "SIGINT" : "SIGTERM");
    begin_shutdown();
    co_return;
  }
}

awaitable<void> server::accept_loop(tcp::acceptor& acceptor, bool tls) {
  using namespace std::chrono_literals;
  auto backoff = 10ms;
  bool failing = false;
  while (!stopping_) {
    const auto ex = asio::make_strand(pool_executor_of(pool_));
    asio::basic_stream_socket<tcp, strand> socket(ex);
    auto [ec] = co_await acceptor.async_accept(socket, use_tuple);
    if (stopping_ || ec == asio::error::operation_aborted) break;
    if (ec) {
      // Out of descriptors (EMFILE/ENFILE) or a transient error: log once, back off
      // instead of spinning, and try again; the client waits in the listen backlog.
      if (!failing) spdlog::error("accept failed: {}; backing off until it works again", ec.message());
      failing = true;
      asio::steady_timer pause(strand_, backoff);
      co_await pause.async_wait(use_tuple);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
      continue;
    }
    if (failing) spdlog::info("accepting again");
    failing = false;
    backoff = 10ms;
    if (live_sessions() >= max_clients_) {
      turn_away(std::move(socket), protocol::bye_reason::server_full, tls);
      continue;
    }
    asio::error_code peer_ec;
    const auto from = socket.remote_endpoint(peer_ec).address();
    auto ticket = make_ticket(from);
    if (!ticket) {
      turn_away(std::move(socket), protocol::bye_reason::address_limit, tls);
      continue;
    }
    const auto id = next_id_++;
    stats_.connections_accepted.fetch_add(1, std::memory_order_relaxed);
    if (tls) {
      start_tls(std::move(socket), ex, id, std::move(ticket));
      continue;
    }
    auto s = std::make_shared<session<plain_stream>>(plain_stream(std::move(socket)), ex, id, router_, limits_, stats_,
                                                     std::move(ticket));
    spdlog::info("session {} opened", s->describe());
    s->start();
  }
}

void server::turn_away(asio::basic_stream_socket<tcp, strand> socket, protocol::bye_reason reason, bool tls) {
  // A fresh socket's send buffer is empty, so this short non-blocking write completes at once.
  asio::error_code ec;
  stats_.turned_away.add(reason);
  spdlog::warn("turning away a client from {}: {}", socket.remote_endpoint(ec), protocol::wire_name(reason));
  socket.non_blocking(true, ec);
  if (!tls) asio::write(socket, asio::buffer(protocol::format_bye(reason)), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

std::shared_ptr<void> server::make_ticket(const asio::ip::address& from) {
  {
    std::lock_guard lock(lifecycle_->mutex);
    auto& count = lifecycle_->per_address[from];
    if (config_.max_per_ip > 0 && count >= config_.max_per_ip) {
      if (count == 0) lifecycle_->per_address.erase(from);
      return nullptr;
    }
    ++count;
    ++lifecycle_->live;
  }
  // Points at the lifecycle only so that it is non-null; the deleter does the counting.
  return std::shared_ptr<void>(lifecycle_.get(), [state = lifecycle_, from](void*) {
    std::lock_guard lock(state->mutex);
    --state->live;
    if (const auto it = state->per_address.find(from); it != state->per_address.end() && --it->second == 0) {
      state->per_address.erase(it);
    }
    state->changed.notify_all();
  });
}

void server::begin_shutdown() {
  if (stopping_) return;
  stopping_ = true;
  asio::error_code ec;
  acceptor_.close(ec);
  tls_acceptor_.close(ec);
  signals_.cancel(ec);
  router_->shutdown();
  std::lock_guard lock(lifecycle_->mutex);
  lifecycle_->stopping = true;
  lifecycle_->changed.notify_all();
}

}  // namespace chat::server
