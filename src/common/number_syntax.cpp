#include "chat/number_syntax.hpp"

#include <algorithm>
#include <cctype>

namespace chat::cli {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Digits with single '_' between two of them (TOML's digit groups), appended to `out` without
// the '_'. Returns how many characters of `text` were taken (0 if it does not start with a digit).
std::size_t take_digits(std::string_view text, std::string& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_digit(text[i])) {
      out += text[i++];
    } else if (text[i] == '_' && i > 0 && i + 1 < text.size() && is_digit(text[i + 1])) {
      ++i;
    } else {
      break;
    }
  }
  return i;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

number_reading read_number(std::string_view text, number_kind kind) {
  const auto refuse = [](std::string why) { return number_reading{{}, std::move(why)}; };
  if (text.empty()) return refuse("no number given");
  std::string_view rest = text;
  const bool negative = rest.front() == '-';
  if (rest.front() == '-' || rest.front() == '+') rest.remove_prefix(1);
  const auto word = lower(rest);
  if (word == "nan" || word == "inf" || word == "infinity") return refuse("a finite number is needed");
  if (word.size() > 1 && word[0] == '0' && (word[1] == 'x' || word[1] == 'o' || word[1] == 'b')) {
    return refuse("only decimal numbers are read (no 0x, 0o or 0b)");
  }
  std::string mantissa;
  const auto whole = take_digits(rest, mantissa);
  if (whole == 0) return refuse("it does not start with a digit");
  if (mantissa.size() > 1 && mantissa.front() == '0') {
    return refuse("leading zeros are not allowed (a number is never read as octal)");
  }
  rest.remove_prefix(whole);
  std::string fraction;
  if (!rest.empty() && rest.front() == '.') {
    fraction = ".";
    const auto taken = take_digits(rest.substr(1), fraction);
    if (taken == 0) return refuse("a '.' needs digits on both sides");
    rest.remove_prefix(1 + taken);
  }
  std::string exponent;
  if (!rest.empty() && (rest.front() == 'e' || rest.front() == 'E')) {
    exponent = "e";
    rest.remove_prefix(1);
    if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
      if (rest.front() == '-') exponent += '-';
      rest.remove_prefix(1);
    }
    const auto taken = take_digits(rest, exponent);  // TOML lets an exponent have leading zeros
    if (taken == 0) return refuse("an exponent needs digits");
    rest.remove_prefix(taken);
  }
  if (!rest.empty()) return refuse("\"" + std::string(rest) + "\" follows the digits");
  if (kind == number_kind::integer && !(fraction.empty() && exponent.empty())) {
    return refuse("a whole number is needed here");
  }
  const bool zero = std::ranges::all_of(mantissa + fraction, [](char c) { return c == '0' || c == '.'; });
  return {(negative && !zero ? "-" : "") + mantissa + fraction + exponent, {}};
}

}  // namespace chat::cli
