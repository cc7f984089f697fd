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

}  // namespace

CHAT_FRAME_ALLOCATION_WARNING_OFF  // client/frame_allocation_warning.hpp
    awaitable<session_opening>
    open_session(std::string host, std::uint16_t port, tls_client_options tls) {
  const auto ex = co_await asio::this_coro::executor;
  session_opening out;
  const auto where = host + ":" + std::to_string(port);
  auto connected = co_await connect_to_server(std::move(host), port, std::move(tls));
  if (!connected.connection) {
    out.status = exit_cannot_connect;
    out.problem = "cannot connect to " + where + ": " + connected.why;
    co_return out;
  }
  server_connection connection(std::move(*connected.connection));

  // The server speaks first; a full server answers BYE SERVER_FULL instead of HELLO.
  asio::steady_timer timer(ex, greeting_timeout);
  auto first = co_await (connection.read_line() || timer.async_wait(use_tuple));
  out.status = exit_connection_lost;
  if (first.index() == 1) {
    out.problem = "no greeting from the server";
    co_return out;
  }
  auto [read_ec, greeting] = std::get<0>(std::move(first));
  if (read_ec) {
    out.problem = "connection closed before the greeting: " + read_ec.message();
    co_return out;
  }
  out.greeting = std::move(greeting);
  const auto head = protocol::split_server_line(out.greeting).head;
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
