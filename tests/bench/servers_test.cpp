#include "bench/servers.hpp"

#include <catch2/catch.hpp>
#include <set>

using chat::bench::parse_servers;
using chat::bench::server_of;

TEST_CASE("servers flag: HOST:PORT lists", "[servers]") {
  const auto s = parse_servers("127.0.0.1:5555,localhost:6000,[::1]:7000");
  REQUIRE(s.size() == 3);
  CHECK(s[0].first == "127.0.0.1");
  CHECK(s[0].second == 5555);
  CHECK(s[1].first == "localhost");
  CHECK(s[2].first == "::1");
  CHECK(s[2].second == 7000);
  // Empty, no port, no host, a port out of range or not a number.
  for (const auto* bad : {"", "127.0.0.1", ":5555", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:55x"}) {
    INFO(bad);
    CHECK_THROWS(parse_servers(bad));
  }
}

TEST_CASE("servers flag: the two ends of every pair are on different servers", "[servers]") {
  for (std::size_t n : {2, 3, 5}) {
    std::multiset<std::size_t> load;
    for (std::size_t pair = 0; pair < 100; ++pair) {
      const auto a = server_of(2 * pair, n, true), b = server_of(2 * pair + 1, n, true);
      CHECK(a != b);
      CHECK(a < n);
      CHECK(b < n);
      load.insert(a);
      load.insert(b);
    }
    // Spread evenly: 200 clients over n servers, within one pair's worth.
    for (std::size_t s = 0; s < n; ++s) CHECK(load.count(s) >= 200 / n - 2);
  }
  CHECK(server_of(7, 1, true) == 0);
  CHECK(server_of(5, 2, false) == 1);  // idle: round robin
}
