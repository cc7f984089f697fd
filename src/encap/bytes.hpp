// Network byte order writers for the header builders. Every multi-byte field on
// the wire is big-endian whatever the host is, so the builders never memcpy a struct.
#pragma once

#include <cstdint>
#include <vector>

namespace chat::encap {

using bytes = std::vector<std::uint8_t>;

inline void put_u8(bytes& out, std::uint8_t value) {
  out.push_back(value);
}

inline void put_u16(bytes& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value & 0xFF));
}

inline void put_u32(bytes& out, std::uint32_t value) {
  put_u16(out, static_cast<std::uint16_t>(value >> 16));
  put_u16(out, static_cast<std::uint16_t>(value & 0xFFFF));
}

// Overwrites two bytes already written, for checksums computed after the header.
inline void set_u16(bytes& out, std::size_t offset, std::uint16_t value) {
  out[offset] = static_cast<std::uint8_t>(value >> 8);
  out[offset + 1] = static_cast<std::uint8_t>(value & 0xFF);
}

inline std::uint16_t get_u16(const bytes& in, std::size_t offset) {
  return static_cast<std::uint16_t>((in[offset] << 8) | in[offset + 1]);
}

}  // namespace chat::encap
