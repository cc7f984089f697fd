#include "encap/frame.hpp"

#include <stdexcept>

namespace chat::encap {

void assemble(frame& f) {
  const std::size_t tcp_length = f.tcp.size() + f.payload.size();
  bytes ip_bytes;
  bytes pseudo;
  if (f.is_ipv6) {
    f.ethernet.ether_type = ether_type_ipv6;
    f.ipv6.payload_length = static_cast<std::uint16_t>(tcp_length);
    ip_bytes = f.ipv6.serialize();
    pseudo = f.ipv6.pseudo_header(static_cast<std::uint32_t>(tcp_length));
  } else {
    f.ethernet.ether_type = ether_type_ipv4;
    f.ipv4.total_length = static_cast<std::uint16_t>(ipv4_header::size + tcp_length);
    ip_bytes = f.ipv4.serialize();
    pseudo = f.ipv4.pseudo_header(static_cast<std::uint16_t>(tcp_length));
  }
  const bytes tcp_bytes = f.tcp.serialize(pseudo, f.payload);

  f.wire = f.ethernet.serialize();
  f.ip_offset = f.wire.size();
  f.wire.insert(f.wire.end(), ip_bytes.begin(), ip_bytes.end());
  f.tcp_offset = f.wire.size();
  f.wire.insert(f.wire.end(), tcp_bytes.begin(), tcp_bytes.end());
  f.payload_offset = f.wire.size();
  f.wire.insert(f.wire.end(), f.payload.begin(), f.payload.end());
}

void corrupt_checksum(frame& f, checksum_layer layer) {
  if (layer == checksum_layer::ip && f.is_ipv6) throw std::invalid_argument("IPv6 has no header checksum");
  const std::size_t at = layer == checksum_layer::ip ? f.ip_offset + 10 : f.tcp_offset + 16;
  set_u16(f.wire, at, static_cast<std::uint16_t>(get_u16(f.wire, at) ^ 0x5555));
}

}  // namespace chat::encap
