// fuzz_replay TARGET PATH...: runs the fuzz target's check over each file, or each file in
// each directory (a missing directory is fine: fuzz/crashes/<target>/ exists only once a crash
// was found). Fails when a check aborts, or when there was nothing at all to run.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "checks.hpp"

namespace {

using check_fn = void (*)(std::string_view);

check_fn find_check(std::string_view target) {
  if (target == "protocol") return chat::fuzz::check_protocol;
  if (target == "line_framer") return chat::fuzz::check_line_framer;
  if (target == "csv") return chat::fuzz::check_csv;
  return nullptr;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (argc < 3) {
    std::fprintf(stderr, "usage: fuzz_replay TARGET PATH...\n");
    return 2;
  }
  const check_fn check = find_check(argv[1]);
  if (check == nullptr) {
    std::fprintf(stderr, "fuzz_replay: unknown target '%s'\n", argv[1]);
    return 2;
  }
  std::vector<fs::path> files;
  for (int i = 2; i < argc; ++i) {
    const fs::path path(argv[i]);
    if (fs::is_directory(path)) {
      for (const auto& entry : fs::directory_iterator(path)) {
        // README.md and the like describe a directory, they are not inputs.
        if (entry.is_regular_file() && entry.path().extension() != ".md") files.push_back(entry.path());
      }
    } else if (fs::is_regular_file(path)) {
      files.push_back(path);
    } else {
      std::printf("fuzz_replay: %s: absent, skipped\n", path.c_str());
    }
  }
  std::ranges::sort(files);
  if (files.empty()) {
    std::fprintf(stderr, "fuzz_replay: no input for %s\n", argv[1]);
    return 1;
  }
  for (const auto& file : files) {
    // Named before the check runs: a failed check aborts, and this says which input did it.
    std::printf("%s\n", file.c_str());
    std::fflush(stdout);
    check(read_file(file));
  }
  std::printf("fuzz_replay: %s: %zu inputs passed\n", argv[1], files.size());
  return 0;
}
