// What to do about a port chat-server cannot listen on, naming the flag that chose it.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <system_error>

namespace chat {

// Empty when there is nothing better to say than the error itself.
inline std::string port_advice(std::error_code why, std::string_view port_flag) {
  if (why == std::errc::address_in_use) {
    return fmt::format("another program listens there: stop it, or choose another port with {}", port_flag);
  }
  if (why == std::errc::permission_denied) {
    return fmt::format("ports below 1024 need root or CAP_NET_BIND_SERVICE: choose another with {}", port_flag);
  }
  return {};
}

}  // namespace chat
