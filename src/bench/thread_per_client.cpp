// chat-threads-baseline: the design tcp-chat replaced, kept as a measuring instrument.
//
// The course project's Python server, written again in plain C++: one std::thread per accepted
// client doing blocking recv() line reads, one map of users under one mutex, and a relayed MSG
// written to the partner's socket by the *sender's* thread. It speaks the part of CHAT/1 that
// CHAT/1 through chat-server's own parser and formatters (chat/protocol.hpp), so both servers can
// be measured by the same harness (bench/thread_cost.sh) and answer alike. It is not a server to
// deploy: no timeouts, no rate limits, no bounded queues, and a partner that stops reading blocks
// its sender's thread in send().
//
// On SIGINT/SIGTERM it prints one JSON line of its own figures to stderr (accepts, time spent
// creating threads, peak live threads, context switches of all its threads) and exits 0.
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "chat/fd_limit.hpp"
#include "chat/protocol.hpp"

namespace {

constexpr std::size_t max_line = chat::protocol::default_max_line;  // as chat-server's --max-line default

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

// One client. Its own thread reads it; its own thread (replies) and its partner's thread
// (relayed MSGs) write it, so writes take write_mutex to keep lines whole.
struct conn {
  explicit conn(int f) : fd(f) {}
  ~conn() { ::close(fd); }  // last reference: no other thread can still be writing to fd
  conn(const conn&) = delete;
  conn& operator=(const conn&) = delete;

  bool send_line(std::string_view line) {
    std::lock_guard lock(write_mutex);
    while (!line.empty()) {
      const auto n = ::send(fd, line.data(), line.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;  // the owner's recv() sees the reset and cleans up
      line.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  const int fd;
  std::mutex write_mutex;
  // Guarded by hub::mutex.
  std::string name;
  std::shared_ptr<conn> partner;
};

// The shared dict + lock: every REGISTER, CONNECT, MSG and departure takes `mutex`.
struct hub {
  std::mutex mutex;
  std::unordered_map<std::string, std::shared_ptr<conn>> users;  // key: lower-case name
};

struct stats {
  std::atomic<std::uint64_t> accepted{0}, spawn_ns{0}, spawn_max_ns{0}, first_accept_ns{0}, last_accept_ns{0};
  std::atomic<std::int64_t> live{0}, peak_live{0};
};

stats g_stats;

namespace protocol = chat::protocol;
using protocol::command_kind;
using protocol::error_code;

// WHO: up to max_who_names names starting with `prefix` (any case), in the order of their keys,
// and how many there are in all, as chat-server's registry answers.
std::string who(hub& h, std::string_view prefix) {
  const auto key = protocol::name_key(prefix);
  std::vector<std::pair<std::string, std::string>> found;  // key, name
  {
    std::lock_guard lock(h.mutex);
    for (const auto& [k, c] : h.users) {
      if (k.starts_with(key)) found.emplace_back(k, c->name);
    }
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> names;
  for (std::size_t i = 0; i < found.size() && i < protocol::max_who_names; ++i) names.push_back(found[i].second);
  return protocol::format_who(found.size(), names.data(), names.size());
}

// Handles one line; returns false when the client asked to QUIT. The line is parsed and every
// reply formatted by chat-server's own protocol code, and the checks come in the registry's order,
// so the two servers answer alike and differ only in how they run.
bool handle_line(hub& h, const std::shared_ptr<conn>& self, std::string_view line) {
  const auto parsed = protocol::parse_command_view(line);
  if (const auto* refused = std::get_if<protocol::parse_error>(&parsed)) {
    self->send_line(protocol::format_error(refused->code));
    return true;
  }
  const auto cmd = std::get<protocol::command_view>(parsed);

  switch (cmd.kind) {
    case command_kind::msg: {
      std::shared_ptr<conn> peer;
      std::string from;
      {
        std::lock_guard lock(h.mutex);
        peer = self->partner;
        from = self->name;
      }
      if (from.empty()) return self->send_line(protocol::format_error(error_code::not_registered));
      if (!peer) return self->send_line(protocol::format_error(error_code::not_in_chat));
      if (cmd.argument.empty()) return self->send_line(protocol::format_error(error_code::empty_message));
      peer->send_line(protocol::format_msg(from, cmd.argument));  // blocks while the partner's socket buffer is full
      return true;
    }
    case command_kind::register_name: {
      std::string reply;
      {
        std::lock_guard lock(h.mutex);
        if (!self->name.empty()) {
          reply = protocol::format_error(error_code::already_registered);
        } else if (!protocol::is_valid_name(cmd.argument)) {
          reply = protocol::format_error(error_code::invalid_name);
        } else if (!h.users.emplace(protocol::name_key(cmd.argument), self).second) {
          reply = protocol::format_error(error_code::name_taken);
        } else {
          self->name = cmd.argument;
          reply = protocol::format_ok("REGISTERED", self->name);
        }
      }
      self->send_line(reply);
      return true;
    }
    case command_kind::connect: {
      std::string reply, event;
      std::shared_ptr<conn> target;
      {
        std::lock_guard lock(h.mutex);
        const auto it =
            protocol::is_valid_name(cmd.argument) ? h.users.find(protocol::name_key(cmd.argument)) : h.users.end();
        if (self->name.empty()) {
          reply = protocol::format_error(error_code::not_registered);
        } else if (self->partner) {
          reply = protocol::format_error(error_code::in_chat);
        } else if (it == h.users.end()) {
          reply = protocol::format_error(error_code::no_such_user);
        } else if (it->second == self) {
          reply = protocol::format_error(error_code::self);
        } else if (it->second->partner) {
          reply = protocol::format_error(error_code::busy);
        } else {
          target = it->second;
          self->partner = target;
          target->partner = self;
          reply = protocol::format_ok("CONNECTED", target->name);
          event = protocol::format_connected(self->name);
        }
      }
      self->send_line(reply);
      if (target) target->send_line(event);
      return true;
    }
    case command_kind::disconnect: {
      std::shared_ptr<conn> peer;
      std::string me, them;
      {
        std::lock_guard lock(h.mutex);
        peer = std::move(self->partner);
        if (peer) {
          peer->partner.reset();
          me = self->name;
          them = peer->name;
        }
      }
      if (!peer) return self->send_line(protocol::format_error(error_code::not_in_chat));
      self->send_line(protocol::format_ok("DISCONNECTED", them));
      peer->send_line(protocol::format_disconnected(me));
      return true;
    }
    case command_kind::ping:
      self->send_line(protocol::format_pong(cmd.argument));
      return true;
    case command_kind::who:
      self->send_line(who(h, cmd.argument));
      return true;
    case command_kind::help:
      self->send_line(protocol::format_help());
      return true;
    case command_kind::quit:
      self->send_line(protocol::format_ok_bye());
      return false;
  }
  return true;
}

// The whole life of one client, on its own thread.
void client_thread(hub& h, std::shared_ptr<conn> self) {
  char buf[4096];       // on this thread's stack, as a C or Python server's recv buffer would be
  std::string pending;  // the part of a line not yet ended by LF
  bool discarding = false;
  self->send_line(protocol::format_hello());
  for (bool open = true; open;) {
    const auto n = ::recv(self->fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::string_view data(buf, static_cast<std::size_t>(n));
    while (open && !data.empty()) {
      const auto lf = data.find('\n');
      if (lf == std::string_view::npos) {
        if (!discarding) pending.append(data);
        if (pending.size() > max_line) {
          self->send_line(protocol::format_error(error_code::line_too_long));
          pending.clear();
          discarding = true;
        }
        break;
      }
      if (discarding) {
        discarding = false;
      } else if (pending.empty()) {
        open = handle_line(h, self, data.substr(0, lf));
      } else {
        pending.append(data.substr(0, lf));
        open = handle_line(h, self, pending);
        pending.clear();
      }
      data.remove_prefix(lf + 1);
    }
  }
  // Leaving: free the name, end the chat, tell the partner.
  std::shared_ptr<conn> peer;
  std::string me;
  {
    std::lock_guard lock(h.mutex);
    if (!self->name.empty()) h.users.erase(protocol::name_key(self->name));
    peer = std::move(self->partner);
    if (peer) peer->partner.reset();
    me = self->name;
  }
  if (peer) peer->send_line(protocol::format_disconnected(me));
  ::shutdown(self->fd, SHUT_RDWR);
  g_stats.live.fetch_sub(1);
}

void update_max(std::atomic<std::uint64_t>& a, std::uint64_t v) {
  auto cur = a.load();
  while (v > cur && !a.compare_exchange_weak(cur, v)) {
  }
}

// Waits for SIGINT/SIGTERM (blocked in every other thread), prints the figures and exits.
void signal_thread(sigset_t set) {
  int sig = 0;
  sigwait(&set, &sig);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);  // every thread of the process, the exited ones included
  const auto accepted = g_stats.accepted.load();
  const auto span = g_stats.last_accept_ns.load() - g_stats.first_accept_ns.load();
  std::fprintf(stderr,
               "{\"tool\": \"chat-threads-baseline\", \"accepted\": %llu, \"peak_threads\": %lld, "
               "\"accept_span_s\": %.3f, \"spawn_ns_mean\": %.0f, \"spawn_ns_max\": %llu, "
               "\"voluntary_ctxt_switches\": %ld, \"involuntary_ctxt_switches\": %ld, \"maxrss_kib\": %ld}\n",
               static_cast<unsigned long long>(accepted), static_cast<long long>(g_stats.peak_live.load()),
               static_cast<double>(span) / 1e9,
               accepted ? static_cast<double>(g_stats.spawn_ns.load()) / static_cast<double>(accepted) : 0.0,
               static_cast<unsigned long long>(g_stats.spawn_max_ns.load()), ru.ru_nvcsw, ru.ru_nivcsw, ru.ru_maxrss);
  std::fflush(stderr);
  std::_Exit(0);
}

int listen_on(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res); rc != 0) {
    std::fprintf(stderr, "chat-threads-baseline: cannot resolve %s: %s\n", host.c_str(), gai_strerror(rc));
    return -1;
  }
  const int fd = ::socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
  const int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  const bool ok = fd >= 0 && ::bind(fd, res->ai_addr, res->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0;
  ::freeaddrinfo(res);
  if (!ok) {
    std::fprintf(stderr, "chat-threads-baseline: cannot listen on %s:%u: %s\n", host.c_str(), port,
                 std::strerror(errno));
    return -1;
  }
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  std::uint16_t port = 5555;
  CLI::App app{
      "chat-threads-baseline: the thread-per-client design (blocking recv, one std::thread per client, one "
      "mutex-guarded user map) speaking CHAT/1. A measuring instrument, not a server "
      "to deploy. SIGINT/SIGTERM print its figures as JSON on stderr."};
  app.add_option("--host", host, "Address to listen on")->capture_default_str();
  app.add_option("--port", port, "TCP port")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const auto limit = chat::raise_fd_limit();
  // Block the stop signals before any thread exists, so only signal_thread receives them. A handler
  // first: a signal ignored at exec (SIGINT in a script's background job) is never queued for sigwait.
  std::signal(SIGINT, [](int) {});
  std::signal(SIGTERM, [](int) {});
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  std::thread(signal_thread, stop).detach();

  const int listener = listen_on(host, port);
  if (listener < 0) return 1;
  rlimit stack{};
  getrlimit(RLIMIT_STACK, &stack);
  std::fprintf(stderr, "chat-threads-baseline listening on %s:%u; open files %zu; thread stacks %llu KiB (ulimit -s)\n",
               host.c_str(), port, limit.soft,
               stack.rlim_cur == RLIM_INFINITY ? 0ULL : static_cast<unsigned long long>(stack.rlim_cur / 1024));

  hub h;
  bool warned = false;
  for (;;) {
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        if (!warned) std::fprintf(stderr, "chat-threads-baseline: out of file descriptors; waiting\n");
        warned = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      continue;
    }
    const int yes = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    auto c = std::make_shared<conn>(fd);
    const auto t0 = now_ns();
    try {
      std::thread(client_thread, std::ref(h), std::move(c)).detach();
    } catch (const std::system_error& e) {  // EAGAIN: out of threads or memory for a stack
      std::fprintf(stderr, "chat-threads-baseline: cannot start a thread: %s\n", e.what());
      continue;  // the thread's copy of c died with it and closed the socket
    }
    const auto t1 = now_ns();
    const auto live = g_stats.live.fetch_add(1) + 1;
    if (live > g_stats.peak_live.load()) g_stats.peak_live.store(live);  // only this thread raises it
    if (g_stats.accepted.fetch_add(1) == 0) g_stats.first_accept_ns.store(t0);
    g_stats.last_accept_ns.store(t1);
    g_stats.spawn_ns.fetch_add(t1 - t0);
    update_max(g_stats.spawn_max_ns, t1 - t0);
  }
}
