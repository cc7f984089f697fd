// IPv4 header (RFC 791) without options, and the pseudo-header TCP sums (RFC 793 3.1).
#pragma once

#include <array>
#include <cstdint>

#include "encap/bytes.hpp"

namespace chat::encap {

using ipv4_address = std::array<std::uint8_t, 4>;

inline constexpr std::uint8_t ip_protocol_tcp = 6;

struct ipv4_header {
  static constexpr std::size_t size = 20;  // IHL 5: no options

  std::uint8_t dscp = 0;  // best effort
  std::uint8_t ecn = 0;   // not ECN-capable
  std::uint16_t total_length = size;
  std::uint16_t identification = 0;
  bool dont_fragment = true;  // what Linux sets on TCP: path MTU discovery
  std::uint8_t ttl = 64;      // Linux's default
  std::uint8_t protocol = ip_protocol_tcp;
  ipv4_address source{};
  ipv4_address destination{};

  // The 20 header bytes with the header checksum filled in.
  bytes serialize() const;
  // source, destination, zero, protocol, upper-layer length: 12 bytes.
  bytes pseudo_header(std::uint16_t upper_length) const;
};

}  // namespace chat::encap
