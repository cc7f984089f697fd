// The relay's allocation budget ("relaying allocates nothing", docs/architecture.md): after a
// warm-up, relaying 1,000,000 MSG lines between established pairs at window 16
// may call malloc at most once per 1,000 messages. Every malloc of this process
// is counted, by interposing malloc itself (operator new calls it too); the
// clients here allocate nothing per message, so the count is the server's.
// Built only without sanitizers, which replace malloc themselves.
#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "test_client.hpp"

extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* pointer, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
void __libc_free(void* pointer);
}

namespace {
std::atomic<std::uint64_t> allocations{0};
void count() {
  allocations.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

extern "C" {
void* malloc(std::size_t size) noexcept {
  count();
  return __libc_malloc(size);
}
void* calloc(std::size_t n, std::size_t size) noexcept {
  count();
  return __libc_calloc(n, size);
}
void* realloc(void* pointer, std::size_t size) noexcept {
  count();
  return __libc_realloc(pointer, size);
}
void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
  count();
  return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
  count();
  *out = __libc_memalign(alignment, size);
  return *out ? 0 : ENOMEM;
}
void free(void* pointer) noexcept {
  __libc_free(pointer);
}
}

using chat::test::open_chat;
using chat::test::running_server;
using chat::test::test_client;

namespace {

constexpr int pairs = 10;
constexpr int window = 16;
// "MSG " + 59 bytes of text + LF: a 64-byte message as chat-bench sends it.
const std::string message = "MSG " + std::string(59, 'x') + "\n";

// Every client keeps `window` messages in flight towards its partner: each
// line it receives lets it send one more. Runs until `total` lines have been
// received in all; buffers are fixed, so nothing here allocates per message.
void relay(std::vector<test_client>& clients, std::uint64_t total) {
  std::vector<pollfd> fds;
  for (auto& c : clients) fds.push_back({c.fd(), POLLIN, 0});
  std::vector<int> credit(clients.size(), window);
  std::array<char, 65536> buffer{};
  std::string burst;
  burst.reserve(message.size() * window);
  std::uint64_t received = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (received < total) {
    for (std::size_t i = 0; i < clients.size(); ++i) {
      if (credit[i] == 0) continue;
      burst.clear();
      for (int k = 0; k < credit[i]; ++k) burst += message;
      REQUIRE(clients[i].send_bytes(burst));
      credit[i] = 0;
    }
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    REQUIRE(::poll(fds.data(), fds.size(), 20000) > 0);
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if ((fds[i].revents & POLLIN) == 0) continue;
      const auto n = ::recv(fds[i].fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
      REQUIRE(n > 0);
      for (ssize_t k = 0; k < n; ++k) {
        if (buffer[static_cast<std::size_t>(k)] != '\n') continue;
        ++received;
        ++credit[i ^ 1];  // the partner of client i is client i^1: one of its messages arrived
      }
    }
  }
}

}  // namespace

TEST_CASE("relaying 1,000,000 messages at window 16 calls malloc at most once per 1,000") {
  chat::server::server_config config;
  config.threads = GENERATE(1, 2);  // one thread, and threads that free what others allocated
  running_server server(config);
  std::vector<test_client> clients;
  clients.reserve(2 * pairs);
  for (int p = 0; p < pairs; ++p) {
    clients.emplace_back(server.port());
    clients.emplace_back(server.port());
    open_chat(clients[clients.size() - 2], "a" + std::to_string(p), clients.back(), "b" + std::to_string(p));
  }
  relay(clients, 200'000);  // warm-up: caches and pools reach their working size
  const auto before = allocations.load();
  constexpr std::uint64_t measured = 1'000'000;
  relay(clients, measured);
  const auto calls = allocations.load() - before;
  std::printf("%zu server threads: malloc calls while relaying %llu messages: %llu (%.3f per 1,000)\n", config.threads,
              static_cast<unsigned long long>(measured), static_cast<unsigned long long>(calls),
              static_cast<double>(calls) * 1000.0 / static_cast<double>(measured));
  CHECK(calls <= measured / 1000);
}
