#include "chat/fd_limit.hpp"

#include <sys/resource.h>

namespace chat {

fd_limit raise_fd_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return {};
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  const auto as_size = [](rlim_t v) { return v == RLIM_INFINITY ? std::size_t(1) << 20 : static_cast<std::size_t>(v); };
  return {as_size(limit.rlim_cur), as_size(limit.rlim_max)};
}

}  // namespace chat
