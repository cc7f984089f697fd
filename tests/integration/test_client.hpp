// Test-side helpers: an in-process server on an ephemeral loopback port, and a
// plain blocking client whose every read has a generous deadline, so a broken
// server fails a test instead of hanging it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "line_client.hpp"
#include "server/server.hpp"

namespace chat::test {

using namespace chat::server;

inline constexpr auto read_timeout = std::chrono::seconds(20);

// Polls `done` every millisecond until it holds or `timeout` passes; returns its last value. For
// state the server changes on its own threads (counters, live sessions), which has no event to
// wait on from a test.
template <typename Predicate>
bool wait_until(Predicate done, std::chrono::steady_clock::duration timeout = read_timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// A server on 127.0.0.1 and an ephemeral port, running on its pool; stopped
// gracefully when the object goes.
class running_server {
 public:
  explicit running_server(server_config config = {});
  ~running_server();
  std::uint16_t port() const { return server_->local_endpoint().port(); }
  chat::server::server& get() { return *server_; }
  // Stops and waits; returns whether the shutdown was graceful.
  bool stop();

 private:
  std::unique_ptr<chat::server::server> server_;
  bool stopped_ = false;
};

// A plain TCP client over raw syscalls.
class test_client final : public line_client {
 public:
  // Connects and consumes the HELLO greeting.
  explicit test_client(std::uint16_t port, bool read_greeting = true);
  ~test_client() override;
  test_client(test_client&& other) noexcept;
  test_client& operator=(test_client&&) = delete;

  bool send_bytes(std::string_view bytes) override;
  std::optional<std::string> next_line() override;
  // True once the server has closed the connection (EOF or reset) in time.
  bool closed_by_server();
  // Closes with a reset (SO_LINGER 0) instead of a FIN.
  void reset();
  void shutdown_write();
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

// Registers both clients (plain or TLS) and opens a chat from `a` to `b`, checking the reply and the event.
void open_chat(line_client& a, std::string_view a_name, line_client& b, std::string_view b_name);

// What flood_until_cut saw.
struct flood_result {
  std::size_t sent = 0;     // bytes of MSG lines the kernel took from the flooder
  std::size_t refused = 0;  // MSGs in flight after the cut, each answered NOT_IN_CHAT
  bool told = false;        // `DISCONNECTED <partner>` arrived
  bool answered = false;    // the PING sent after it was answered: the flooder's session still works
};

// Writes `MSG <text>` lines of `line_bytes` bytes (LF included) from `flooder`,
// already in a chat with `partner`, until the server says `DISCONNECTED <partner>`;
// then sends a PING and reads until its PONG (a flooder that stopped reading here
// would be the next slow consumer). Gives up after 60 s. Uses raw syscalls only,
// so it may run on a test's helper thread (Catch2's macros are not thread-safe).
flood_result flood_until_cut(test_client& flooder, std::string_view partner, std::size_t line_bytes);

// The process's resident set size, in bytes.
std::size_t resident_bytes();

// Sanitizers keep freed memory in quarantine and shadow every byte, so resident
// size says nothing about the server there: memory bounds are checked in the
// Release run, behaviour in every run.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool memory_is_measurable = false;
#else
inline constexpr bool memory_is_measurable = true;
#endif

}  // namespace chat::test
