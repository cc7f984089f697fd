#include "encap/ethernet.hpp"

namespace chat::encap {

bytes ethernet_header::serialize() const {
  bytes out;
  out.reserve(size);
  out.insert(out.end(), destination.begin(), destination.end());
  out.insert(out.end(), source.begin(), source.end());
  put_u16(out, ether_type);
  return out;
}

}  // namespace chat::encap
