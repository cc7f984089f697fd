#include "encap/checksum.hpp"

namespace chat::encap {

void checksum_accumulator::add(std::span<const std::uint8_t> data) {
  std::size_t i = 0;
  if (odd_ && !data.empty()) {
    sum_ += static_cast<std::uint32_t>((pending_ << 8) | data[0]);
    odd_ = false;
    i = 1;
  }
  for (; i + 1 < data.size(); i += 2) sum_ += static_cast<std::uint32_t>((data[i] << 8) | data[i + 1]);
  if (i < data.size()) {
    odd_ = true;
    pending_ = data[i];
  }
}

std::uint32_t checksum_accumulator::raw_sum() const {
  // A packet is at most 64 KiB, so 32 bits cannot overflow: 32768 words of 0xFFFF < 2^31.
  return sum_ + (odd_ ? static_cast<std::uint32_t>(pending_ << 8) : 0U);
}

std::uint16_t checksum_accumulator::folded() const {
  std::uint32_t sum = raw_sum();
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

std::uint16_t internet_checksum(std::span<const std::uint8_t> data) {
  checksum_accumulator acc;
  acc.add(data);
  return acc.checksum();
}

}  // namespace chat::encap
