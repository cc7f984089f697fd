#include "client/session_opening.hpp"

#include <asio/experimental/awaitable_operators.hpp>
#include <chrono>

#include "chat/protocol.hpp"
#include "client/client_config.hpp"
#include "client/frame_allocation_warning.hpp"
#include "client/tls_connect.hpp"

namespace chat::client {
namespace {

using namespace asio::experimental::awaitable_operators;

constexpr std::chrono::seconds greeting_timeout{10};
// A TLS server says nothing first either, but cuts the connection (an alert, then a
// reset: measured within 5 ms on chat-server's TLS port) as soon as it reads five
// bytes that are no TLS record header. So a server silent for tls_probe_after is
// sent a PING, and told apart by whether it hangs up. Sooner than greeting_timeout,
// which is also chat-server's default --tls-handshake-timeout: at 10 s the TLS
// server would cut first. A plain server that is merely slow greets, then answers
// PONG, which is read here and not shown.
constexpr std::string_view tls_probe = "PING tls-probe";
constexpr std::string_view tls_probe_reply = "PONG tls-probe";
constexpr std::chrono::seconds tls_probe_after{3};

}  // namespace

CHAT_FRAME_ALLOCATION_WARNING_OFF  // client/frame_allocation_warning.hpp
    awaitable<session_opening>
    open_session(std::string host, std::uint16_t port, tls_client_options tls) {
  const auto ex = co_await asio::this_coro::executor;
  session_opening out;
  const auto where = host + ":" + std::to_string(port);
  const bool plain = !tls.enabled;
  auto connected = co_await connect_to_server(std::move(host), port, std::move(tls));
  if (!connected.connection) {
    out.status = exit_cannot_connect;
    out.problem = "cannot connect to " + where + ": " + connected.why;
    co_return out;
  }
  server_connection connection(std::move(*connected.connection));

  // The server speaks first; a full server answers BYE SERVER_FULL instead of HELLO.
  asio::steady_timer timer(ex, plain ? std::chrono::seconds(tls_probe_after) : greeting_timeout);
  auto first = co_await (connection.read_line() || timer.async_wait(use_tuple));
  const bool probed = plain && first.index() == 1;
  if (probed) {
    timer.expires_after(greeting_timeout - tls_probe_after);
    const auto write_ec = co_await connection.write_line(std::string(tls_probe));
    if (!write_ec) first = co_await (connection.read_line() || timer.async_wait(use_tuple));
  }
  out.status = exit_connection_lost;
  const auto tls_hint = ": " + where + " looks like a TLS port (try --tls)";
  if (first.index() == 1) {
    out.problem = "no greeting from the server";
    co_return out;
  }
  auto [read_ec, greeting] = std::get<0>(std::move(first));
  if (read_ec) {
    const bool hung_up = read_ec == asio::error::eof || read_ec == asio::error::connection_reset;
    out.problem = probed && hung_up ? "no greeting from the server, and it hung up when sent a plain line" + tls_hint
                                    : "connection closed before the greeting: " + read_ec.message();
    co_return out;
  }
  out.greeting = std::move(greeting);
  const auto head = protocol::split_server_line(out.greeting).head;
  if (head == "HELLO" && probed) {
    // The PONG of the probe, after the greeting: not part of the conversation.
    auto reply = co_await (connection.read_line() || timer.async_wait(use_tuple));
    if (reply.index() != 0 || std::get<1>(std::get<0>(reply)) != tls_probe_reply) {
      out.problem = "no reply to " + std::string(tls_probe) + " after a late greeting";
      co_return out;
    }
  }
  if (head == "HELLO") {
    out.status = exit_ok;
    out.connection.emplace(std::move(connection));
  } else if (head != "BYE") {
    // BYE SERVER_FULL is a chat server's refusal; anything else is some other service.
    const std::string version(protocol::version);
    out.problem = where + " is not a " + version + " server: its first line is not HELLO " + version;
  }
  co_return out;
}
CHAT_FRAME_ALLOCATION_WARNING_ON

}  // namespace chat::client
