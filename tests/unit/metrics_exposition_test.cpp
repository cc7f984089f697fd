// The /metrics text: the collector's families serialized by prometheus-cpp, then
// read back by a small parser of the exposition format, so names, types, labels
// and values are checked as Prometheus would see them.
#include <prometheus/text_serializer.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "chat-server/metrics_collector.hpp"
#include "server/server_stats.hpp"

namespace {

using namespace std::chrono_literals;

struct sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct exposition {
  std::map<std::string, std::string> types;  // family -> counter, gauge, histogram
  std::set<std::string> helped;              // families with a HELP line
  std::vector<sample> samples;

  // The value of the one sample of `name` with exactly `labels`; fails the test if there is none.
  double value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
    for (const auto& s : samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
    FAIL("no sample " << name << " with " << labels.size() << " labels");
    return 0;
  }
  std::size_t count(const std::string& name) const {
    std::size_t n = 0;
    for (const auto& s : samples) n += s.name == name ? 1 : 0;
    return n;
  }
};

// Parses the text format (version 0.0.4): "# HELP", "# TYPE" and
// `name{label="value",...} value` lines. Label values here hold no escapes.
exposition parse(const std::string& text) {
  exposition out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    if (line.starts_with("# HELP ")) {
      out.helped.insert(line.substr(7, line.find(' ', 7) - 7));
      continue;
    }
    if (line.starts_with("# TYPE ")) {
      const auto rest = line.substr(7);
      const auto space = rest.find(' ');
      out.types[rest.substr(0, space)] = rest.substr(space + 1);
      continue;
    }
    REQUIRE(line.front() != '#');
    sample s;
    auto value_at = line.rfind(' ');
    REQUIRE(value_at != std::string::npos);
    auto head = line.substr(0, value_at);
    s.value = std::strtod(line.c_str() + value_at + 1, nullptr);
    const auto brace = head.find('{');
    s.name = head.substr(0, brace);
    if (brace != std::string::npos) {
      REQUIRE(head.back() == '}');
      auto labels = head.substr(brace + 1, head.size() - brace - 2);
      while (!labels.empty()) {
        const auto eq = labels.find("=\"");
        const auto close = labels.find('"', eq + 2);
        REQUIRE((eq != std::string::npos && close != std::string::npos));
        s.labels[labels.substr(0, eq)] = labels.substr(eq + 2, close - eq - 2);
        labels = labels.substr(std::min(labels.size(), close + 2));  // past `",`
      }
    }
    out.samples.push_back(std::move(s));
  }
  return out;
}

std::string scrape(const chat::server::server_stats& stats, std::size_t connections) {
  chat::metrics_collector collector(stats, nullptr, [connections] { return connections; });
  return prometheus::TextSerializer().Serialize(collector.Collect());
}

}  // namespace

TEST_CASE("metrics: every family is there with its type, help and base-unit name") {
  chat::server::server_stats stats;
  const auto text = parse(scrape(stats, 0));
  const std::map<std::string, std::string> expected{
      {"chat_connections_accepted_total", "counter"},
      {"chat_messages_relayed_total", "counter"},
      {"chat_received_bytes_total", "counter"},
      {"chat_sent_bytes_total", "counter"},
      {"chat_slow_consumers_total", "counter"},
      {"chat_rate_limited_pauses_total", "counter"},
      {"chat_timeouts_total", "counter"},
      {"chat_connections_turned_away_total", "counter"},
      {"chat_tls_handshake_failures_total", "counter"},
      {"chat_errors_total", "counter"},
      {"chat_connections", "gauge"},
      {"chat_registered_users", "gauge"},
      {"chat_active_chats", "gauge"},
      {"chat_outbox_queued_bytes", "gauge"},
      {"chat_outbox_wait_seconds", "histogram"},
  };
  CHECK(text.types == expected);
  for (const auto& [name, type] : expected) {
    CHECK(text.helped.contains(name));
    if (type == "counter") CHECK(name.ends_with("_total"));
  }
  // Every labelled value is there from the start, at zero.
  CHECK(text.count("chat_errors_total") == chat::protocol::error_code_count);
  CHECK(text.count("chat_timeouts_total") == chat::server::timeout_reasons.size());
  CHECK(text.count("chat_connections_turned_away_total") == chat::server::turned_away_reasons.size());
  CHECK(text.value("chat_errors_total", {{"code", "NAME_TAKEN"}}) == 0);
  CHECK(text.value("chat_outbox_wait_seconds_count") == 0);
}

TEST_CASE("metrics: values after known increments") {
  using chat::protocol::bye_reason;
  using chat::protocol::error_code;
  chat::server::server_stats stats;
  stats.connections_accepted = 4;
  stats.messages_relayed.fetch_add(7);
  stats.bytes_in.fetch_add(1000);
  stats.bytes_out.fetch_add(2000);
  stats.slow_consumers = 1;
  stats.rate_limited = 2;
  stats.timeouts.add(bye_reason::idle_timeout);
  stats.timeouts.add(bye_reason::register_timeout);
  stats.timeouts.add(bye_reason::register_timeout);
  stats.turned_away.add(bye_reason::server_full);
  stats.errors.add(error_code::name_taken);
  stats.errors.add(error_code::name_taken);
  stats.errors.add(error_code::line_too_long);
  stats.registered = 3;
  stats.active_chats = 1;
  stats.queued_bytes.fetch_add(500);
  stats.queued_bytes.fetch_sub(200);

  const auto text = parse(scrape(stats, 5));
  CHECK(text.value("chat_connections_accepted_total") == 4);
  CHECK(text.value("chat_messages_relayed_total") == 7);
  CHECK(text.value("chat_received_bytes_total") == 1000);
  CHECK(text.value("chat_sent_bytes_total") == 2000);
  CHECK(text.value("chat_slow_consumers_total") == 1);
  CHECK(text.value("chat_rate_limited_pauses_total") == 2);
  CHECK(text.value("chat_timeouts_total", {{"reason", "IDLE_TIMEOUT"}}) == 1);
  CHECK(text.value("chat_timeouts_total", {{"reason", "REGISTER_TIMEOUT"}}) == 2);
  CHECK(text.value("chat_connections_turned_away_total", {{"reason", "SERVER_FULL"}}) == 1);
  CHECK(text.value("chat_connections_turned_away_total", {{"reason", "ADDRESS_LIMIT"}}) == 0);
  CHECK(text.value("chat_errors_total", {{"code", "NAME_TAKEN"}}) == 2);
  CHECK(text.value("chat_errors_total", {{"code", "LINE_TOO_LONG"}}) == 1);
  CHECK(text.value("chat_errors_total", {{"code", "BUSY"}}) == 0);
  CHECK(text.value("chat_connections") == 5);
  CHECK(text.value("chat_registered_users") == 3);
  CHECK(text.value("chat_active_chats") == 1);
  CHECK(text.value("chat_outbox_queued_bytes") == 300);
}

TEST_CASE("metrics: the outbox-wait histogram in seconds, cumulative buckets up to +Inf") {
  chat::server::server_stats stats;
  stats.outbox_wait.observe(3us);   // le 5e-06
  stats.outbox_wait.observe(5us);   // le 5e-06: bounds are inclusive
  stats.outbox_wait.observe(2ms);   // le 0.0025
  stats.outbox_wait.observe(-1ns);  // counts as 0: le 1e-06
  stats.outbox_wait.observe(60s);   // past the last bound: only +Inf

  const auto text = parse(scrape(stats, 0));
  CHECK(text.value("chat_outbox_wait_seconds_count") == 5);
  CHECK(text.value("chat_outbox_wait_seconds_sum") == Approx(60.002008));
  std::map<double, double> buckets;  // le -> cumulative count
  double inf = -1;
  for (const auto& s : text.samples) {
    if (s.name != "chat_outbox_wait_seconds_bucket") continue;
    REQUIRE(s.labels.size() == 1);
    if (s.labels.at("le") == "+Inf") {
      inf = s.value;
    } else {
      buckets[std::strtod(s.labels.at("le").c_str(), nullptr)] = s.value;
    }
  }
  CHECK(inf == 5);
  REQUIRE(buckets.size() == chat::server::metrics_histogram::bounds_ns.size());
  CHECK(buckets.begin()->first == Approx(1e-6));
  CHECK(buckets.rbegin()->first == Approx(10));
  CHECK(buckets.at(1e-6) == 1);
  CHECK(buckets.at(2.5e-6) == 1);
  CHECK(buckets.at(5e-6) == 3);
  CHECK(buckets.at(1e-3) == 3);
  CHECK(buckets.at(2.5e-3) == 4);
  CHECK(buckets.at(10) == 4);
  double previous = 0;
  for (const auto& [le, cumulative] : buckets) {
    CHECK(cumulative >= previous);
    previous = cumulative;
  }
}

TEST_CASE("metrics: the histogram counts every observation of many threads without a lock") {
  chat::server::metrics_histogram h;
  constexpr int threads = 8, each = 20000;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&h, t] {
      for (int i = 0; i < each; ++i) h.observe(std::chrono::microseconds(t * 100 + i % 7));
    });
  }
  for (auto& t : pool) t.join();
  const auto snap = h.read();
  CHECK(snap.count == std::uint64_t{threads} * each);
  std::uint64_t sum = 0;
  for (const auto c : snap.counts) sum += c;
  CHECK(sum == snap.count);
}
