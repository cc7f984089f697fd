// Completion handler for co_spawn: a coroutine that ends with an exception is a
// bug, and `detached` would hide it (asio#1111), so it is logged instead.
#pragma once

#include <spdlog/spdlog.h>

#include <exception>

namespace chat::server {

struct log_exception {
  const char* what;

  void operator()(std::exception_ptr error) const {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      spdlog::error("{} failed: {}", what, e.what());
    } catch (...) {
      spdlog::error("{} failed", what);
    }
  }
};

}  // namespace chat::server
