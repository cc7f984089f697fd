#include "client/client.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>

#include "chat/display.hpp"
#include "chat/protocol.hpp"
#include "client/frame_allocation_warning.hpp"
#include "client/interactive_session.hpp"
#include "client/script_session.hpp"
#include "client/server_connection.hpp"
#include "client/session_opening.hpp"
#include "client/stdin_lines.hpp"

namespace chat::client {
namespace {

CHAT_FRAME_ALLOCATION_WARNING_OFF  // client/frame_allocation_warning.hpp
    awaitable<int>
    run_session(client_config config) {
  const auto ex = co_await asio::this_coro::executor;
  const bool interactive = ::isatty(STDIN_FILENO) != 0;
  auto opened = co_await open_session(config.host, config.port, config.tls);
  if (opened.status != exit_ok) {
    if (!opened.greeting.empty()) {
      auto text = (interactive ? describe_server_line(opened.greeting) : escape_for_terminal(opened.greeting)) + "\n";
      std::fputs(text.c_str(), stdout);
      std::fflush(stdout);
    }
    if (!opened.problem.empty()) std::fprintf(stderr, "chat-client: %s\n", opened.problem.c_str());
    co_return opened.status;
  }
  auto& connection = *opened.connection;
  auto greeting = std::move(opened.greeting);

  if (interactive) {
    interactive_session session(ex, connection, config);
    co_return co_await session.run(std::move(greeting));
  }
  stdin_lines input(ex);
  script_session session(ex, connection, input, config);
  co_return co_await session.run(std::move(greeting));
}

// A closed stdin, stdout or stderr would be handed out again as our socket's
// descriptor, and the script reader would read the server's lines as the script.
void reserve_standard_descriptors() {
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
    if (::fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
      const int opened = ::open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY);
      if (opened >= 0 && opened != fd) ::close(opened);
    }
  }
}

}  // namespace

int run_client(const client_config& config) {
  reserve_standard_descriptors();
  // A closed stdout (| head) must end us through a write error, not kill us mid-session.
  std::signal(SIGPIPE, SIG_IGN);
  asio::io_context io(1);
  int status = exit_connection_lost;
  auto config_copy = config;
  asio::co_spawn(io, run_session(std::move(config_copy)), [&status](std::exception_ptr error, int result) {
    if (!error) {
      status = result;
      return;
    }
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "chat-client: %s\n", e.what());
    }
  });
  io.run();
  return status;
}
CHAT_FRAME_ALLOCATION_WARNING_ON

}  // namespace chat::client
