// One captured frame: the header values that built it, the bytes on the wire and
// where each layer starts, plus what it carries in the conversation (for the
// printer and the frame <-> msg_id table).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "encap/bytes.hpp"
#include "encap/ethernet.hpp"
#include "encap/ipv4.hpp"
#include "encap/ipv6.hpp"
#include "encap/tcp.hpp"

namespace chat::encap {

struct frame {
  std::int64_t time_us = 0;

  ethernet_header ethernet;
  bool is_ipv6 = false;
  ipv4_header ipv4;  // used when !is_ipv6
  ipv6_header ipv6;  // used when is_ipv6
  tcp_header tcp;
  bytes payload;

  // Ethernet II frame as built by assemble(); layer offsets into it.
  bytes wire;
  std::size_t ip_offset = 0;
  std::size_t tcp_offset = 0;
  std::size_t payload_offset = 0;

  std::size_t connection = 0;           // index of its connection (Wireshark's tcp.stream)
  std::optional<std::uint64_t> msg_id;  // the CSV row it carries or acknowledges
  std::string role;                     // "SYN", "data 1/3", "ACK", "FIN", ...

  std::size_t ip_header_size() const { return is_ipv6 ? ipv6_header::size : ipv4_header::size; }
  // The checksum fields as they are in `wire` (corrupt_checksum may have changed them).
  std::uint16_t ip_checksum() const { return get_u16(wire, ip_offset + 10); }
  std::uint16_t tcp_checksum() const { return get_u16(wire, tcp_offset + 16); }
};

// Fills the length fields (IP total/payload length, ether type) from the payload,
// computes both checksums and lays out `wire`.
void assemble(frame& f);

enum class checksum_layer { ip, tcp };

// Spoils one checksum field in `wire` (for the negative test): XOR 0x5555 never maps
// a value to its one's-complement twin (0x0000 <-> 0xFFFF), so the sum always breaks.
// Throws std::invalid_argument for an IP checksum on IPv6, which has none.
void corrupt_checksum(frame& f, checksum_layer layer);

}  // namespace chat::encap
