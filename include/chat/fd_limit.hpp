// The open-files limit decides how many clients a process can hold.
#pragma once

#include <cstddef>

namespace chat {

struct fd_limit {
  std::size_t soft = 0;
  std::size_t hard = 0;
};

// Raises the soft RLIMIT_NOFILE to the hard limit (as Redis does for maxclients)
// and returns the result; unprivileged processes cannot go past the hard limit.
fd_limit raise_fd_limit();

// Descriptors a process keeps for itself: stdio, the listener, epoll, eventfd,
// timers, log files.
inline constexpr std::size_t reserved_fds = 32;

}  // namespace chat
