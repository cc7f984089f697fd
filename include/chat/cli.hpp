// What the four programs' command lines share: --version, help wrapped to a terminal's
// width, and one exit status for every usage error. CLI11 stays in the main TUs and here.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace chat::cli {

// Exit status of every program for a usage error: a bad flag, a value out of its range.
inline constexpr int exit_usage = 2;

// "chat-server 0.1.0 (git 5798a40c1d2e)": CMake's project(VERSION) and the git revision the
// build was made from (`git describe --always --dirty`, read at build time; "unknown" outside git).
std::string version_text(std::string_view program);

// Adds --version and makes --help wrap descriptions at help_width columns. Call before adding options.
void prepare(CLI::App& app, std::string program);
inline constexpr std::size_t help_width = 100;

// Parses argv. Returns nullopt when the program should go on; otherwise the exit status:
// 0 after --help or --version, exit_usage (with CLI11's message on stderr) for any error.
std::optional<int> parse(CLI::App& app, int argc, const char* const* argv);

// A validator for a number flag: accepts a value that reads as T and passes `ok`; any other
// is refused with "Value TEXT not RANGE". `name` is what --help shows ("UINT in [1 - 9]").
template <typename T, typename Ok>
CLI::Validator number_check(Ok ok, std::string range, std::string name) {
  return CLI::Validator(
      [ok, range = std::move(range)](std::string& text) -> std::string {
        T value{};
        if (CLI::detail::lexical_cast(text, value) && ok(value)) return {};
        return "Value " + text + " not " + range;
      },
      std::move(name));
}

// Breaks text into lines of at most `width` columns at spaces (a longer word stays whole);
// existing line breaks are kept.
std::string wrap(std::string_view text, std::size_t width);

}  // namespace chat::cli
