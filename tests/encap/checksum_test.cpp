// RFC 1071 checksum against known vectors.
#include "encap/checksum.hpp"

#include <catch2/catch.hpp>
#include <vector>

using chat::encap::checksum_accumulator;
using chat::encap::internet_checksum;

namespace {

// One accumulator fed `data`: its raw 32-bit sum, the sum folded to 16 bits, and the checksum.
void check_sums(const std::vector<std::uint8_t>& data, std::uint32_t raw, std::uint16_t folded,
                std::uint16_t checksum) {
  checksum_accumulator acc;
  acc.add(data);
  CHECK(acc.raw_sum() == raw);
  CHECK(acc.folded() == folded);
  CHECK(acc.checksum() == checksum);
}

}  // namespace

TEST_CASE("RFC 1071 section 3 example sums to ddf2", "[encap][checksum]") {
  check_sums({0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}, 0x2ddf0, 0xddf2, 0x220d);
}

TEST_CASE("IPv4 header example checksum is b861", "[encap][checksum]") {
  // 192.168.0.1 -> 192.168.0.199, UDP, the well-known worked example.
  std::vector<std::uint8_t> header = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                      0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  CHECK(internet_checksum(header) == 0xb861);
  header[10] = 0xb8;
  header[11] = 0x61;
  checksum_accumulator verify;
  verify.add(header);
  CHECK(verify.folded() == 0xffff);  // the receiver's test
  CHECK(internet_checksum(header) == 0x0000);
}

TEST_CASE("an odd byte is padded with zero on the right", "[encap][checksum]") {
  CHECK(internet_checksum(std::vector<std::uint8_t>{0x01}) == 0xfeff);
  CHECK(internet_checksum(std::vector<std::uint8_t>{0xab, 0xcd, 0x12}) ==
        static_cast<std::uint16_t>(~(0xabcd + 0x1200)));
}

TEST_CASE("empty and all-zero data checksum to ffff", "[encap][checksum]") {
  CHECK(internet_checksum(std::vector<std::uint8_t>{}) == 0xffff);
  CHECK(internet_checksum(std::vector<std::uint8_t>(20, 0)) == 0xffff);
}

TEST_CASE("carries fold back in, more than once if needed", "[encap][checksum]") {
  // Four 0xffff words: 0x3fffc -> fffc + 3 = ffff.
  check_sums(std::vector<std::uint8_t>(8, 0xff), 0x3fffc, 0xffff, 0x0000);
}

TEST_CASE("summing in pieces equals summing at once, whatever the split", "[encap][checksum]") {
  std::vector<std::uint8_t> data;
  for (int i = 0; i < 37; ++i) data.push_back(static_cast<std::uint8_t>(i * 37 + 11));
  const std::uint16_t whole = internet_checksum(data);
  for (std::size_t cut = 0; cut <= data.size(); ++cut) {
    checksum_accumulator acc;
    acc.add(std::span(data).first(cut));
    acc.add(std::span(data).subspan(cut));
    CHECK(acc.checksum() == whole);
  }
}
