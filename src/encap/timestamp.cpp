#include "encap/timestamp.hpp"

#include <cstdio>

namespace chat::encap {

namespace {

// Howard Hinnant's days_from_civil: proleptic Gregorian date to days since 1970-01-01.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2 ? 1 : 0;
}

// Reads exactly `count` digits at `pos`.
bool digits(std::string_view text, std::size_t& pos, std::size_t count, std::int64_t& value) {
  value = 0;
  for (std::size_t i = 0; i < count; ++i, ++pos) {
    if (pos >= text.size() || text[pos] < '0' || text[pos] > '9') return false;
    value = value * 10 + (text[pos] - '0');
  }
  return true;
}

bool literal(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

// ".ffffff" (1 to 6 digits) scaled to microseconds; absent means zero.
bool fraction(std::string_view text, std::size_t& pos, std::int64_t& micros) {
  micros = 0;
  if (pos >= text.size() || text[pos] != '.') return true;
  ++pos;
  std::size_t n = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    if (++n > 6) return false;
    micros = micros * 10 + (text[pos] - '0');
    ++pos;
  }
  if (n == 0) return false;
  for (; n < 6; ++n) micros *= 10;
  return true;
}

std::optional<std::int64_t> parse_iso(std::string_view text) {
  std::size_t pos = 0;
  std::int64_t y, mo, d, h, mi, s, us;
  if (!digits(text, pos, 4, y) || !literal(text, pos, '-') || !digits(text, pos, 2, mo) || !literal(text, pos, '-') ||
      !digits(text, pos, 2, d))
    return std::nullopt;
  if (!literal(text, pos, 'T') && !literal(text, pos, ' ')) return std::nullopt;
  if (!digits(text, pos, 2, h) || !literal(text, pos, ':') || !digits(text, pos, 2, mi) || !literal(text, pos, ':') ||
      !digits(text, pos, 2, s) || !fraction(text, pos, us))
    return std::nullopt;
  literal(text, pos, 'Z');
  if (pos != text.size()) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return std::nullopt;
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  // Reject 2026-02-30 and the like: the date must survive a round trip.
  std::int64_t ry;
  unsigned rm, rd;
  civil_from_days(days, ry, rm, rd);
  if (ry != y || rm != mo || rd != d) return std::nullopt;
  return ((days * 24 + h) * 60 + mi) * 60 * 1'000'000 + s * 1'000'000 + us;
}

std::optional<std::int64_t> parse_unix(std::string_view text) {
  std::size_t pos = 0;
  std::int64_t seconds = 0;
  std::size_t n = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    if (++n > 12) return std::nullopt;  // far beyond any pcap timestamp
    seconds = seconds * 10 + (text[pos] - '0');
    ++pos;
  }
  std::int64_t us;
  if (n == 0 || !fraction(text, pos, us) || pos != text.size()) return std::nullopt;
  return seconds * 1'000'000 + us;
}

}  // namespace

std::optional<std::int64_t> parse_timestamp(std::string_view text) {
  if (text.size() >= 10 && text[4] == '-') return parse_iso(text);
  return parse_unix(text);
}

std::string format_timestamp(std::int64_t micros) {
  const std::int64_t seconds = micros >= 0 ? micros / 1'000'000 : (micros - 999'999) / 1'000'000;
  const std::int64_t us = micros - seconds * 1'000'000;
  const std::int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  const std::int64_t rest = seconds - days * 86400;
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(rest / 3600), static_cast<long long>(rest / 60 % 60),
                static_cast<long long>(rest % 60), static_cast<long long>(us));
  return buf;
}

}  // namespace chat::encap
