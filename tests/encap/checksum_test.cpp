// RFC 1071 checksum against known vectors.
#include "chat/encap/checksum.hpp"

#include <catch2/catch.hpp>
#include <vector>

using chat::encap::checksum_accumulator;
using chat::encap::internet_checksum;

TEST_CASE("RFC 1071 section 3 example sums to ddf2", "[encap][checksum]") {
  const std::vector<std::uint8_t> data = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  checksum_accumulator acc;
  acc.add(data);
  CHECK(acc.raw_sum() == 0x2ddf0);
  CHECK(acc.folded() == 0xddf2);
  CHECK(acc.checksum() == 0x220d);
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
  const std::vector<std::uint8_t> data(8, 0xff);  // four 0xffff words: 0x3fffc -> fffc + 3 = ffff
  checksum_accumulator acc;
  acc.add(data);
  CHECK(acc.raw_sum() == 0x3fffc);
  CHECK(acc.folded() == 0xffff);
  CHECK(acc.checksum() == 0x0000);
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
