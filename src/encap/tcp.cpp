#include "encap/tcp.hpp"

#include "encap/checksum.hpp"

namespace chat::encap {

std::string tcp_flag_names(std::uint8_t flags) {
  static constexpr struct {
    std::uint8_t bit;
    const char* name;
  } names[] = {{tcp_flag::fin, "FIN"}, {tcp_flag::syn, "SYN"}, {tcp_flag::rst, "RST"},
               {tcp_flag::psh, "PSH"}, {tcp_flag::ack, "ACK"}, {tcp_flag::urg, "URG"}};
  std::string out;
  for (const auto& n : names) {
    if (!(flags & n.bit)) continue;
    if (!out.empty()) out += ", ";
    out += n.name;
  }
  return out.empty() ? "none" : out;
}

bytes tcp_header::serialize(std::span<const std::uint8_t> pseudo_header, std::span<const std::uint8_t> payload) const {
  bytes out;
  out.reserve(size());
  put_u16(out, source_port);
  put_u16(out, destination_port);
  put_u32(out, sequence);
  put_u32(out, acknowledgment);
  put_u8(out, static_cast<std::uint8_t>((size() / 4) << 4));  // data offset in 32-bit words, reserved bits 0
  put_u8(out, flags);
  put_u16(out, window);
  put_u16(out, 0);  // checksum: zero while summing
  put_u16(out, urgent_pointer);
  if (mss) {
    put_u8(out, 2);  // kind: maximum segment size
    put_u8(out, 4);  // length of the option
    put_u16(out, *mss);
  }
  checksum_accumulator acc;
  acc.add(pseudo_header);
  acc.add(out);
  acc.add(payload);
  set_u16(out, 16, acc.checksum());
  return out;
}

}  // namespace chat::encap
