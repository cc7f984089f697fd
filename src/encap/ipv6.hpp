// IPv6 fixed header (RFC 8200) and the pseudo-header upper layers sum (RFC 8200 8.1).
// IPv6 has no header checksum: the TCP checksum is the only one.
#pragma once

#include <array>
#include <cstdint>

#include "encap/bytes.hpp"

namespace chat::encap {

using ipv6_address = std::array<std::uint8_t, 16>;

struct ipv6_header {
  static constexpr std::size_t size = 40;

  std::uint8_t traffic_class = 0;
  std::uint32_t flow_label = 0;  // 20 bits
  std::uint16_t payload_length = 0;
  std::uint8_t next_header = 6;  // TCP
  std::uint8_t hop_limit = 64;
  ipv6_address source{};
  ipv6_address destination{};

  bytes serialize() const;
  // source, destination, 32-bit upper-layer length, 3 zero bytes, next header: 40 bytes.
  bytes pseudo_header(std::uint32_t upper_length) const;
};

}  // namespace chat::encap
