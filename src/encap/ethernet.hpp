// Ethernet II header (no 802.1Q tag, no FCS: captures on Linux carry neither).
#pragma once

#include <array>
#include <cstdint>

#include "encap/bytes.hpp"

namespace chat::encap {

using mac_address = std::array<std::uint8_t, 6>;

inline constexpr std::uint16_t ether_type_ipv4 = 0x0800;
inline constexpr std::uint16_t ether_type_ipv6 = 0x86DD;

struct ethernet_header {
  static constexpr std::size_t size = 14;

  // Linux's lo uses all-zero addresses: what a real loopback capture shows.
  mac_address destination{};
  mac_address source{};
  std::uint16_t ether_type = ether_type_ipv4;

  bytes serialize() const;
};

}  // namespace chat::encap
