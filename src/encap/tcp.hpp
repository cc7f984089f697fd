// TCP header (RFC 9293) with the one option a SYN needs here, MSS.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "encap/bytes.hpp"

namespace chat::encap {

namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01;
inline constexpr std::uint8_t syn = 0x02;
inline constexpr std::uint8_t rst = 0x04;
inline constexpr std::uint8_t psh = 0x08;
inline constexpr std::uint8_t ack = 0x10;
inline constexpr std::uint8_t urg = 0x20;
}  // namespace tcp_flag

// "SYN, ACK": the flag names as Wireshark lists them.
std::string tcp_flag_names(std::uint8_t flags);

struct tcp_header {
  static constexpr std::size_t base_size = 20;

  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint32_t sequence = 0;
  std::uint32_t acknowledgment = 0;  // only meaningful (and only non-zero) with ACK
  std::uint8_t flags = 0;
  std::uint16_t window = 65535;  // no window scaling: the unscaled maximum
  std::uint16_t urgent_pointer = 0;
  std::optional<std::uint16_t> mss;  // kind 2, length 4; sent on SYNs only

  std::size_t size() const { return base_size + (mss ? 4 : 0); }

  // Header bytes with the checksum computed over pseudo_header, this header and payload.
  bytes serialize(std::span<const std::uint8_t> pseudo_header, std::span<const std::uint8_t> payload) const;
};

}  // namespace chat::encap
