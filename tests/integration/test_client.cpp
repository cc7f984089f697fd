#include "test_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

namespace chat::test {

running_server::running_server(server_config config) {
  config.host = "127.0.0.1";
  config.port = 0;
  if (config.threads == 0) config.threads = 2;
  config.handle_signals = false;
  server_ = std::make_unique<chat::server::server>(config);
  server_->start();
}

running_server::~running_server() {
  stop();
}

bool running_server::stop() {
  if (stopped_) return true;
  stopped_ = true;
  server_->stop();
  return server_->wait();
}

test_client::test_client(std::uint16_t port, bool read_greeting) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd_ >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (read_greeting) expect_greeting();
}

test_client::test_client(test_client&& other) noexcept
    : line_client(std::move(other)), fd_(std::exchange(other.fd_, -1)) {}

test_client::~test_client() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::string> test_client::next_line() {
  const auto deadline = std::chrono::steady_clock::now() + read_timeout;
  for (;;) {
    const auto lf = buffer_.find('\n');
    if (lf != std::string::npos) {
      auto result = buffer_.substr(0, lf);
      buffer_.erase(0, lf + 1);
      return result;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) return std::nullopt;
    char chunk[65536];
    const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return std::nullopt;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

bool test_client::send_bytes(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool test_client::closed_by_server() {
  const auto deadline = std::chrono::steady_clock::now() + read_timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) != 1) return false;
    char chunk[65536];
    const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return true;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

void test_client::reset() {
  const linger hard{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  ::close(fd_);
  fd_ = -1;
}

void test_client::shutdown_write() {
  ::shutdown(fd_, SHUT_WR);
}

void open_chat(line_client& a, std::string_view a_name, line_client& b, std::string_view b_name) {
  a.register_as(a_name);
  b.register_as(b_name);
  REQUIRE(a.ask("CONNECT " + std::string(b_name)) == "OK CONNECTED " + std::string(b_name));
  REQUIRE(b.line() == "CONNECTED " + std::string(a_name));
}

flood_result flood_until_cut(test_client& flooder, std::string_view partner, std::size_t line_bytes) {
  const std::string message = "MSG " + std::string(line_bytes - 5, 'f') + "\n";
  const std::string cut_event = "DISCONNECTED " + std::string(partner);
  flood_result result;
  std::string received;
  std::size_t offset = 0;  // of the next byte of `message` to send: a short send leaves the rest of the line
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!result.answered && std::chrono::steady_clock::now() < deadline) {
    pollfd p{flooder.fd(), static_cast<short>(result.told ? POLLIN : POLLIN | POLLOUT), 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    if (p.revents & POLLIN) {
      char chunk[65536];
      const auto n = ::recv(flooder.fd(), chunk, sizeof chunk, 0);
      if (n <= 0) break;
      received.append(chunk, static_cast<std::size_t>(n));
      // Handle each complete line once; keep a partial one for the next read.
      std::size_t start = 0;
      for (auto lf = received.find('\n'); lf != std::string::npos; lf = received.find('\n', start)) {
        const std::string_view line(received.data() + start, lf - start);
        start = lf + 1;
        if (line.find("NOT_IN_CHAT") != std::string_view::npos) ++result.refused;
        if (line == "PONG alive") result.answered = true;
        if (line == cut_event && !result.told) {
          result.told = true;
          const std::string ping = "PING alive\n";
          if (::send(flooder.fd(), ping.data(), ping.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(ping.size())) {
            return result;
          }
        }
      }
      received.erase(0, start);
    }
    if ((p.revents & POLLOUT) && !result.told) {
      const auto n =
          ::send(flooder.fd(), message.data() + offset, message.size() - offset, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        result.sent += static_cast<std::size_t>(n);
        offset = (offset + static_cast<std::size_t>(n)) % message.size();
      }
    }
  }
  return result;
}

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0;
  std::size_t resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace chat::test
