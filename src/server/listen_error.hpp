// A listener that could not listen where the settings said: which one, where and why. The core
// knows no flags; the program catches this to name the setting that chose the port.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <system_error>

#include "chat/net.hpp"

namespace chat::server {

enum class listener { plain, tls };

class listen_error : public std::runtime_error {
 public:
  listen_error(listener which, const tcp::endpoint& where, std::error_code why)
      : std::runtime_error(
            fmt::format("cannot listen on {}{}: {}", where, which == listener::tls ? " for TLS" : "", why.message())),
        which_(which),
        why_(why) {}

  listener which() const { return which_; }
  std::error_code why() const { return why_; }

 private:
  listener which_;
  std::error_code why_;
};

}  // namespace chat::server
