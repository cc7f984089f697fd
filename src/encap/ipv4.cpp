#include "encap/ipv4.hpp"

#include "encap/checksum.hpp"

namespace chat::encap {

bytes ipv4_header::serialize() const {
  bytes out;
  out.reserve(size);
  put_u8(out, static_cast<std::uint8_t>((4 << 4) | (size / 4)));  // version 4, IHL in 32-bit words
  put_u8(out, static_cast<std::uint8_t>((dscp << 2) | (ecn & 0x3)));
  put_u16(out, total_length);
  put_u16(out, identification);
  put_u16(out, dont_fragment ? 0x4000 : 0x0000);  // flags DF/MF, fragment offset 0
  put_u8(out, ttl);
  put_u8(out, protocol);
  put_u16(out, 0);  // checksum: zero while summing
  out.insert(out.end(), source.begin(), source.end());
  out.insert(out.end(), destination.begin(), destination.end());
  set_u16(out, 10, internet_checksum(out));
  return out;
}

bytes ipv4_header::pseudo_header(std::uint16_t upper_length) const {
  bytes out;
  out.reserve(12);
  out.insert(out.end(), source.begin(), source.end());
  out.insert(out.end(), destination.begin(), destination.end());
  put_u8(out, 0);
  put_u8(out, protocol);
  put_u16(out, upper_length);
  return out;
}

}  // namespace chat::encap
