#include "client/server_connection.hpp"

namespace chat::client {

std::string describe_read_error(const asio::error_code& ec) {
  // A TLS server that closes without close_notify is "truncated"; for a line protocol, a close like any other.
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) return "closed by the server";
  if (ec == asio::error::not_found) return "the server sent a line over " + std::to_string(max_server_line) + " bytes";
  return ec.message();
}

awaitable<std::tuple<asio::error_code, tcp::socket>> server_connection::connect(std::string host, std::uint16_t port) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket socket(ex);
  tcp::resolver resolver(ex);
  const auto service = std::to_string(port);
  auto [resolve_ec, endpoints] = co_await resolver.async_resolve(host, service, use_tuple);
  if (resolve_ec) co_return std::tuple{resolve_ec, std::move(socket)};
  auto [connect_ec, endpoint] = co_await asio::async_connect(socket, endpoints, use_tuple);
  if (!connect_ec) {
    // Lines are typed one at a time: send each at once.
    asio::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
  }
  co_return std::tuple{connect_ec, std::move(socket)};
}

awaitable<std::tuple<asio::error_code, std::string>> server_connection::read_line() {
  auto [ec, n] = co_await std::visit(
      [this](auto& stream) {
        return asio::async_read_until(stream, asio::dynamic_buffer(read_buffer_, max_server_line), '\n', use_tuple);
      },
      stream_);
  if (ec) co_return std::tuple{ec, std::string()};
  std::string line = read_buffer_.substr(0, n - 1);
  read_buffer_.erase(0, n);
  co_return std::tuple{asio::error_code{}, std::move(line)};
}

awaitable<asio::error_code> server_connection::write_line(std::string line) {
  line += '\n';
  auto [ec, written] = co_await std::visit(
      [&line](auto& stream) { return asio::async_write(stream, asio::buffer(line), use_tuple); }, stream_);
  co_return ec;
}

void server_connection::close() {
  asio::error_code ignored;
  // TLS too: a close_notify would have to wait for the server's, and the server takes a plain close.
  auto& socket =
      std::visit([](auto& stream) -> tcp::socket::lowest_layer_type& { return stream.lowest_layer(); }, stream_);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace chat::client
