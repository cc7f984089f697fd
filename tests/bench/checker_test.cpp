#include <catch2/catch.hpp>
#include <initializer_list>
#include <string>
#include <vector>

#include "bench/payload.hpp"

using chat::bench::payload_codec;
using chat::bench::sequence_checker;
using verdict = sequence_checker::verdict;

namespace {

sequence_checker feed(const std::vector<std::uint64_t>& seqs, std::uint64_t sent) {
  sequence_checker c;
  for (auto s : seqs) c.on_receive(s, sent);
  c.finish(sent);
  return c;
}

// One message received, and the verdict the checker must give it.
struct step {
  std::uint64_t seq;
  verdict expected;
};

// Feeds the steps in order out of `sent` messages, checking each verdict, then finishes.
sequence_checker replay(std::initializer_list<step> steps, std::uint64_t sent) {
  sequence_checker c;
  for (const auto& s : steps) {
    INFO("seq " << s.seq);
    CHECK(c.on_receive(s.seq, sent) == s.expected);
  }
  c.finish(sent);
  return c;
}

}  // namespace

TEST_CASE("checker accepts exactly-once in-order delivery", "[checker]") {
  const auto c = feed({0, 1, 2, 3, 4}, 5);
  CHECK(c.errors() == 0);
  CHECK(c.received() == 5);
}

TEST_CASE("checker catches a lost message", "[checker]") {
  SECTION("in the middle") {
    const auto c = feed({0, 1, 3, 4}, 5);
    CHECK(c.lost() == 1);
    CHECK(c.errors() == 1);
  }
  SECTION("at the end") {
    const auto c = feed({0, 1, 2, 3}, 5);
    CHECK(c.lost() == 1);
    CHECK(c.reordered() == 0);
  }
}

TEST_CASE("checker catches a duplicated message", "[checker]") {
  const auto c =
      replay({{0, verdict::in_order}, {1, verdict::in_order}, {1, verdict::duplicate}, {2, verdict::in_order}}, 3);
  CHECK(c.duplicated() == 1);
  CHECK(c.lost() == 0);
  CHECK(c.received() == 3);
}

TEST_CASE("checker catches a reordered message and does not call it lost", "[checker]") {
  const auto c = replay({{0, verdict::in_order}, {2, verdict::ahead}, {1, verdict::late}, {3, verdict::in_order}}, 4);
  CHECK(c.reordered() == 1);
  CHECK(c.lost() == 0);
  CHECK(c.duplicated() == 0);
}

TEST_CASE("checker catches a corrupted message", "[checker]") {
  const payload_codec codec(64);
  std::string p(codec.size(), '\0');
  codec.encode(p.data(), 41, 123456789);
  const auto good = codec.decode(p);
  REQUIRE(good);
  CHECK(good->seq == 41);
  CHECK(good->timestamp_ns == 123456789);
  // Any single changed byte is caught, wherever it is.
  for (std::size_t i = 0; i < p.size(); ++i) {
    auto bad = p;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    INFO("byte " << i);
    CHECK_FALSE(codec.decode(bad));
  }
  CHECK_FALSE(codec.decode(p.substr(1)));
  CHECK_FALSE(codec.decode(p + "x"));
  // A number that was never sent is corrupted too.
  sequence_checker c;
  CHECK(c.on_receive(0, 2) == verdict::in_order);
  CHECK(c.on_receive(7, 2) == verdict::corrupted);
  c.on_corrupted();
  c.finish(2);
  CHECK(c.corrupted() == 2);
  CHECK(c.lost() == 1);
}

TEST_CASE("payload sizes", "[checker]") {
  CHECK_THROWS(payload_codec(47));
  const payload_codec smallest(48);
  std::string p(48, '\0');
  smallest.encode(p.data(), 1, 2);
  CHECK(smallest.decode(p));
  CHECK(p.find(' ') == std::string::npos);
}
