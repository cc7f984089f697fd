// What the four programs' command lines share: --version, help wrapped to a terminal's
// width, and one exit status for every usage error. CLI11 stays in the main TUs and here.
#pragma once

#include <CLI/CLI.hpp>
#include <charconv>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "chat/number_syntax.hpp"

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

// The number `text` holds, by read_number's rule, converted to T; or nullopt with `why` set.
// Also rewrites `text` as plain decimal, the form CLI11 converts afterwards (never as octal).
template <typename T>
std::optional<T> number_in(std::string& text, std::string& why) {
  const auto kind = std::is_floating_point_v<T> ? number_kind::real : number_kind::integer;
  auto reading = read_number(text, kind);
  if (!reading.error.empty()) {
    why = "Value " + text + " is not a number: " + reading.error;
    return std::nullopt;
  }
  T value{};
  const auto* end = reading.decimal.data() + reading.decimal.size();
  const auto [stop, ec] = std::from_chars(reading.decimal.data(), end, value);
  if (ec != std::errc{} || stop != end) return std::nullopt;  // past what T holds: out of any range
  text = std::move(reading.decimal);
  return value;
}

// A validator for a number setting (add it with ->transform()): accepts a value that reads as T (number_syntax.hpp) and
// passes `ok`; any other is refused with "Value TEXT not RANGE" or why it is no number. `name` is what
// --help shows ("UINT in [1 - 9]").
template <typename T, typename Ok>
CLI::Validator number_check(Ok ok, std::string range, std::string name) {
  return CLI::Validator(
      [ok, range = std::move(range)](std::string& text) -> std::string {
        std::string why;
        const auto original = text;
        if (const auto value = number_in<T>(text, why)) {
          if (ok(*value)) return {};
        }
        return why.empty() ? "Value " + original + " not " + range : why;
      },
      std::move(name));
}

// CLI::Range by the number rule above (add it with ->transform(), which keeps the plain decimal): [lo, hi], shown in
// --help as CLI::Range shows it.
template <typename T>
CLI::Validator range(T lo, T hi) {
  std::ostringstream shown, ends;
  shown << CLI::detail::type_name<T>() << " in [" << lo << " - " << hi << "]";
  ends << "in range " << lo << " to " << hi;
  return number_check<T>([lo, hi](T value) { return value >= lo && value <= hi; }, ends.str(), shown.str());
}

// Breaks text into lines of at most `width` columns at spaces (a longer word stays whole);
// existing line breaks are kept.
std::string wrap(std::string_view text, std::size_t width);

}  // namespace chat::cli
