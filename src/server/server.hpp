// The listener and the lifecycle: binds, accepts onto per-connection strands of
// one thread pool, admits up to max_clients, and shuts down gracefully (close
// the listener, BYE every session, let writers flush) with a forced stop after
// shutdown_timeout as the fallback. With TLS configured a second listener
// serves the same sessions over TLS after a bounded handshake (tls_server.cpp).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "chat/net.hpp"
#include "server/router.hpp"
#include "server/server_config.hpp"
#include "server/server_stats.hpp"
#include "server/session.hpp"  // session_limits

namespace chat::server {

class tls_context_holder;
class tls_stream;

class server {
 public:
  // Binds the listening socket; throws std::system_error if it cannot.
  explicit server(server_config config);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // The plain TCP port (unset with --no-plain) and the TLS port (unset without TLS).
  tcp::endpoint local_endpoint() const { return endpoint_; }
  tcp::endpoint tls_endpoint() const { return tls_endpoint_; }
  std::size_t max_clients() const { return max_clients_; }
  std::size_t live_sessions() const;
  const server_stats& stats() const { return stats_; }

  // Starts accepting, routing and (if configured) watching for SIGINT/SIGTERM,
  // and SIGHUP, which calls reload_tls().
  void start();
  // Reads the TLS certificate and key again: new handshakes use them, existing
  // sessions keep theirs. False (logged, the old ones stay) if they cannot be
  // loaded, or without TLS. Thread-safe.
  bool reload_tls();
  // Thread-safe: begins a graceful shutdown.
  void stop();
  // Blocks the calling thread (not a pool thread) until a shutdown has been
  // requested and every session has ended, forcing the pool to stop if that takes
  // longer than shutdown_timeout. Returns true if the shutdown was graceful.
  bool wait();

 private:
  // Counts live sessions; shared with every session's ticket, so it outlives the pool's frames.
  struct lifecycle {
    std::mutex mutex;
    std::condition_variable changed;
    std::size_t live = 0;
    std::unordered_map<asio::ip::address, std::size_t> per_address;  // live sessions by client address
    bool stopping = false;
    bool router_done = true;  // until start() runs it
  };

  // Accepts on `acceptor` until shutdown; `tls`: its clients shake hands first.
  awaitable<void> accept_loop(tcp::acceptor& acceptor, bool tls);
  awaitable<void> watch_signals();
  // tls_server.cpp: the handshake, bounded by the handshake timeout, then the session.
  void start_tls(asio::basic_stream_socket<tcp, strand> socket, const strand& ex, session_id id,
                 std::shared_ptr<void> ticket);
  awaitable<void> handshake_then_start(tls_stream stream, strand ex, session_id id, std::shared_ptr<void> ticket);
  void begin_shutdown();  // on strand_
  // Counts a session in (and out when the ticket goes); false if its address is over --max-per-ip.
  std::shared_ptr<void> make_ticket(const asio::ip::address& from);
  // Plain TCP gets BYE reason; a TLS client is closed without one (it has no session to read it in).
  void turn_away(asio::basic_stream_socket<tcp, strand> socket, protocol::bye_reason reason, bool tls);

  server_config config_;
  server_stats stats_;  // before the pool: outlives every frame the pool destroys
  asio::thread_pool pool_;
  strand strand_;  // the acceptor, the signal set and the shutdown steps
  tcp::acceptor acceptor_;
  tcp::acceptor tls_acceptor_;               // open only with TLS
  std::shared_ptr<tls_context_holder> tls_;  // null without TLS
  asio::signal_set signals_;
  tcp::endpoint endpoint_;
  tcp::endpoint tls_endpoint_;
  std::size_t max_clients_ = 0;
  session_limits limits_;
  std::shared_ptr<router> router_;
  std::shared_ptr<lifecycle> lifecycle_ = std::make_shared<lifecycle>();
  session_id next_id_ = 1;
  bool stopping_ = false;  // on strand_
};

}  // namespace chat::server
