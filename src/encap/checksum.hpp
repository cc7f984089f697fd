// The Internet checksum of RFC 1071: the one's complement of the one's-complement
// sum of 16-bit big-endian words. IPv4 sums its header; TCP sums a pseudo-header
// (addresses, protocol, length) followed by its header and data.
#pragma once

#include <cstdint>
#include <span>

namespace chat::encap {

// Sums data in pieces (pseudo-header, then segment) as if it were one buffer:
// an odd trailing byte waits for the next piece, or is padded with zero at the end.
class checksum_accumulator {
 public:
  void add(std::span<const std::uint8_t> data);
  // The 32-bit sum before folding the carries back in.
  std::uint32_t raw_sum() const;
  // The 16-bit one's-complement sum (carries folded in).
  std::uint16_t folded() const;
  // The value that goes in the header: ~folded().
  std::uint16_t checksum() const { return static_cast<std::uint16_t>(~folded()); }

 private:
  std::uint32_t sum_ = 0;
  bool odd_ = false;  // an odd byte is pending in pending_
  std::uint8_t pending_ = 0;
};

std::uint16_t internet_checksum(std::span<const std::uint8_t> data);

}  // namespace chat::encap
