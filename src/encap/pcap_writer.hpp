// Classic libpcap file format (magic a1b2c3d4, version 2.4, microsecond stamps),
// written little-endian field by field so the bytes do not depend on the host.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <vector>

#include "encap/frame.hpp"

namespace chat::encap {

enum class link_type : std::uint32_t {
  ethernet = 1,  // LINKTYPE_ETHERNET: frames as built
  raw = 101,     // LINKTYPE_RAW: the IP packet only, no Ethernet header
};

// A record's time as classic pcap stores it: two unsigned 32-bit fields, seconds since
// 1970-01-01T00:00:00Z and microseconds below 1,000,000 (pcap-savefile(5); the IETF
// draft-ietf-opsawg-pcap, "Packet Record"). So a record can be stamped from the epoch to
// 2106-02-07T06:28:15.999999Z and at no other time.
struct pcap_time {
  std::uint32_t seconds = 0;
  std::uint32_t micros = 0;  // < 1,000,000
  bool operator==(const pcap_time&) const = default;
};

inline constexpr std::int64_t pcap_first_time_us = 0;
inline constexpr std::int64_t pcap_last_time_us = (std::int64_t{1} << 32) * 1'000'000 - 1;

// Splits microseconds since the epoch into a record's fields; nullopt outside
// [pcap_first_time_us, pcap_last_time_us], which the format cannot hold.
std::optional<pcap_time> to_pcap_time(std::int64_t time_us);

// Writes the file header and one record per frame. Returns false if the stream failed.
// Throws std::out_of_range when a frame's time cannot be stored or is earlier than the
// frame before it: build_conversation refuses such input, so that is a bug, and no
// record is ever written with a wrapped or backwards time.
bool write_pcap(std::ostream& out, const std::vector<frame>& frames, link_type type);

}  // namespace chat::encap
