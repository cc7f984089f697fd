// How every program reads a number, from whichever source (a flag, a CHAT_* variable, a TOML
// settings file): the one rule, so a value means the same wherever it is written.
//   - decimal only: an optional sign, then digits without leading zeros (0 itself is fine);
//     0x, 0o and 0b prefixes are refused, and 017070 is an error, never octal;
//   - TOML's decimal forms: '_' between two digits (4_096), '+' (+5), and for a setting that
//     takes a fraction, a fraction and/or an exponent (1.5, 2e3, 1_000.5e-1);
//   - finite: nan and inf are refused;
//   - a whole number where one belongs: 1e3 and 1.0 are refused for an integer setting.
// Pure text in, text out; callers convert the plain decimal it returns.
#pragma once

#include <string>
#include <string_view>

namespace chat::cli {

enum class number_kind { integer, real };

// Either `decimal` (the number as plain decimal: no '_', no '+', no sign on a zero) or `error`
// (why `text` is not a number of that kind, worded for a user) is set.
struct number_reading {
  std::string decimal;
  std::string error;
};

number_reading read_number(std::string_view text, number_kind kind);

}  // namespace chat::cli
