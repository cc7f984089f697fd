#include "encap/ipv6.hpp"

namespace chat::encap {

bytes ipv6_header::serialize() const {
  bytes out;
  out.reserve(size);
  put_u32(out, (6U << 28) | (static_cast<std::uint32_t>(traffic_class) << 20) | (flow_label & 0xFFFFF));
  put_u16(out, payload_length);
  put_u8(out, next_header);
  put_u8(out, hop_limit);
  out.insert(out.end(), source.begin(), source.end());
  out.insert(out.end(), destination.begin(), destination.end());
  return out;
}

bytes ipv6_header::pseudo_header(std::uint32_t upper_length) const {
  bytes out;
  out.reserve(40);
  out.insert(out.end(), source.begin(), source.end());
  out.insert(out.end(), destination.begin(), destination.end());
  put_u32(out, upper_length);
  put_u8(out, 0);
  put_u8(out, 0);
  put_u8(out, 0);
  put_u8(out, next_header);
  return out;
}

}  // namespace chat::encap
