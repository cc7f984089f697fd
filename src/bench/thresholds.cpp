#include "bench/thresholds.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <stdexcept>

namespace chat::bench {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// A decimal number at the start of s (no sign, no exponent: what people type in a threshold);
// s keeps what follows.
bool take_number(std::string_view& s, double& out) {
  std::size_t n = 0;
  bool digits = false;
  while (n < s.size() && (std::isdigit(static_cast<unsigned char>(s[n])) || s[n] == '.')) {
    digits = digits || s[n] != '.';
    ++n;
  }
  if (!digits) return false;
  const auto r = std::from_chars(s.data(), s.data() + n, out);
  if (r.ec != std::errc{} || r.ptr != s.data() + n) return false;
  s.remove_prefix(n);
  return true;
}

struct op_name {
  std::string_view text;
  threshold::comparison op;
};
// Two-character operators first, so "<=" is not read as "<" followed by "=".
constexpr op_name ops[] = {{"<=", threshold::comparison::le}, {">=", threshold::comparison::ge},
                           {"==", threshold::comparison::eq}, {"!=", threshold::comparison::ne},
                           {"<", threshold::comparison::lt},  {">", threshold::comparison::gt}};

struct unit_name {
  std::string_view text;
  double ns;
};
constexpr unit_name latency_units[] = {{"ns", 1}, {"us", 1e3}, {"\xC2\xB5s", 1e3}, {"ms", 1e6}, {"s", 1e9}};

bool holds(threshold::comparison op, double actual, double limit) {
  switch (op) {
    case threshold::comparison::lt:
      return actual < limit;
    case threshold::comparison::le:
      return actual <= limit;
    case threshold::comparison::gt:
      return actual > limit;
    case threshold::comparison::ge:
      return actual >= limit;
    case threshold::comparison::eq:
      return actual == limit;
    case threshold::comparison::ne:
      return actual != limit;
  }
  return false;
}

bool is_latency(threshold::metric m) {
  return m == threshold::metric::percentile || m == threshold::metric::max || m == threshold::metric::mean;
}

}  // namespace

threshold parse_threshold(std::string_view text) {
  threshold t;
  t.text = std::string(trim(text));
  auto s = trim(text);
  const auto bad = [&](const std::string& why) {
    return std::invalid_argument("'" + t.text + "': " + why +
                                 " (e.g. p99<5ms, p99.9<=20ms, max<1s, rate>=100000, errors==0)");
  };
  // The metric: a name up to the operator.
  const auto op_at = s.find_first_of("<>=!");
  if (op_at == std::string_view::npos) throw bad("no comparison (< <= > >= == !=)");
  const auto name = trim(s.substr(0, op_at));
  s.remove_prefix(op_at);
  if (name == "max") {
    t.what = threshold::metric::max;
  } else if (name == "mean") {
    t.what = threshold::metric::mean;
  } else if (name == "rate") {
    t.what = threshold::metric::rate;
  } else if (name == "errors") {
    t.what = threshold::metric::errors;
  } else if (name.size() > 1 && name[0] == 'p') {
    auto digits = name.substr(1);
    double pct = 0;
    if (!take_number(digits, pct) || !digits.empty() || !(pct > 0) || pct > 100) {
      throw bad("a percentile is p followed by a number above 0 and at most 100");
    }
    t.what = threshold::metric::percentile;
    t.quantile = pct / 100;
  } else {
    throw bad("unknown figure '" + std::string(name) + "': use pN, max, mean, rate or errors");
  }
  bool found = false;
  for (const auto& o : ops) {
    if (s.substr(0, o.text.size()) == o.text) {
      t.op = o.op;
      s.remove_prefix(o.text.size());
      found = true;
      break;
    }
  }
  if (!found) throw bad("no comparison (< <= > >= == !=)");
  s = trim(s);
  if (!take_number(s, t.limit)) throw bad("no number to compare with");
  s = trim(s);
  if (is_latency(t.what)) {
    const auto* unit = [&]() -> const unit_name* {
      for (const auto& u : latency_units) {
        if (s == u.text) return &u;
      }
      return nullptr;
    }();
    if (!unit) throw bad("a latency needs a unit: ns, us, ms or s");
    t.limit *= unit->ns;
  } else if (t.what == threshold::metric::rate) {
    if (!s.empty() && s != "/s") throw bad("a rate is a number of messages per second");
  } else if (!s.empty()) {
    throw bad("errors is a plain count");
  }
  return t;
}

double threshold_figure(const threshold& t, const bench_result& r) {
  switch (t.what) {
    case threshold::metric::rate:
      return r.throughput;
    case threshold::metric::errors:
      return static_cast<double>(r.total_errors());
    default:
      break;
  }
  const auto& h = r.latency;
  if (h.count() == 0) return -1;
  if (t.what == threshold::metric::max) return static_cast<double>(h.max());
  if (t.what == threshold::metric::mean) return h.mean();
  return static_cast<double>(h.percentile(t.quantile));
}

std::vector<std::string> threshold_breaches(const std::vector<threshold>& conditions, const bench_result& r) {
  std::vector<std::string> out;
  for (const auto& t : conditions) {
    const auto actual = threshold_figure(t, r);
    const auto name = t.text.substr(0, t.text.find_first_of("<>=!"));
    char b[128];
    if (is_latency(t.what)) {
      if (actual < 0) {
        out.push_back(t.text + ": no latency was measured");
        continue;
      }
      std::snprintf(b, sizeof b, "%.1f us", actual / 1e3);
    } else if (t.what == threshold::metric::rate) {
      std::snprintf(b, sizeof b, "%.0f msgs/s", actual);
    } else {
      std::snprintf(b, sizeof b, "%.0f", actual);
    }
    if (!holds(t.op, actual, t.limit)) out.push_back(t.text + ": " + std::string(trim(name)) + " was " + b);
  }
  return out;
}

}  // namespace chat::bench
