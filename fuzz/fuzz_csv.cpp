// libFuzzer entry point: all the checking is in csv_check.cpp, shared with tests/fuzz_regression.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  chat::fuzz::check_csv(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
