// Classic libpcap file format (magic a1b2c3d4, version 2.4, microsecond stamps),
// written little-endian field by field so the bytes do not depend on the host.
#pragma once

#include <ostream>
#include <vector>

#include "chat/encap/frame.hpp"

namespace chat::encap {

enum class link_type : std::uint32_t {
  ethernet = 1,  // LINKTYPE_ETHERNET: frames as built
  raw = 101,     // LINKTYPE_RAW: the IP packet only, no Ethernet header
};

// Writes the file header and one record per frame. Returns false if the stream failed.
bool write_pcap(std::ostream& out, const std::vector<frame>& frames, link_type type);

}  // namespace chat::encap
