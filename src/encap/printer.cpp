#include "encap/printer.hpp"

#include <arpa/inet.h>

#include <cstdio>
#include <string>

#include "encap/checksum.hpp"
#include "encap/timestamp.hpp"

namespace chat::encap {

namespace {

std::string hex(std::uint32_t value, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*x", digits, value);
  return buf;
}

std::string mac_text(const mac_address& mac) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
  return buf;
}

template <std::size_t N>
std::string ip_text(const std::array<std::uint8_t, N>& address) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(N == 4 ? AF_INET : AF_INET6, address.data(), buf, sizeof buf);
  return buf;
}

// One field line: name, value, meaning, in aligned columns.
void field(std::ostream& out, const std::string& name, const std::string& value, const std::string& meaning = "") {
  char buf[96];
  if (meaning.empty())
    std::snprintf(buf, sizeof buf, "    %-16s %s", name.c_str(), value.c_str());
  else
    std::snprintf(buf, sizeof buf, "    %-16s %-22s ", name.c_str(), value.c_str());
  out << buf << meaning << "\n";
}

// The payload as a C-like string literal: the LF shows as \n.
std::string quoted(const bytes& payload, std::size_t limit) {
  std::string text = "\"";
  for (std::size_t i = 0; i < payload.size() && i < limit; ++i) {
    const auto c = static_cast<char>(payload[i]);
    if (c == '\n')
      text += "\\n";
    else if (c == '"')
      text += "\\\"";
    else if (payload[i] < 0x20 || payload[i] >= 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", payload[i]);
      text += buf;
    } else
      text += c;
  }
  text += "\"";
  if (payload.size() > limit) text += " ... (" + std::to_string(payload.size() - limit) + " more bytes)";
  return text;
}

bool tcp_checksum_ok(const frame& f) {
  checksum_accumulator acc;
  const std::size_t tcp_length = f.wire.size() - f.tcp_offset;
  const bytes pseudo = f.is_ipv6 ? f.ipv6.pseudo_header(static_cast<std::uint32_t>(tcp_length))
                                 : f.ipv4.pseudo_header(static_cast<std::uint16_t>(tcp_length));
  acc.add(pseudo);
  acc.add(std::span(f.wire).subspan(f.tcp_offset));
  return acc.folded() == 0xFFFF;
}

bool ip_checksum_ok(const frame& f) {
  checksum_accumulator acc;
  acc.add(std::span(f.wire).subspan(f.ip_offset, ipv4_header::size));
  return acc.folded() == 0xFFFF;
}

void print_ipv4(std::ostream& out, const frame& f) {
  const ipv4_header& ip = f.ipv4;
  out << "  IPv4 (" << ipv4_header::size << " bytes)\n";
  field(out, "version", "4", "IPv4");
  field(out, "IHL", "5", "header length 5 x 4 = 20 bytes: no options");
  field(out, "DSCP", std::to_string(ip.dscp), "default, best effort");
  field(out, "ECN", std::to_string(ip.ecn), "not ECN-capable transport");
  field(out, "total length", std::to_string(ip.total_length), "IP header + TCP header + data");
  field(out, "identification", hex(ip.identification, 4), "per sender counter; unused for reassembly with DF");
  field(out, "flags", ip.dont_fragment ? "0x2 (DF)" : "0x0", "don't fragment: TCP sizes its own segments");
  field(out, "fragment offset", "0", "a whole datagram");
  field(out, "TTL", std::to_string(ip.ttl), "hops left; Linux's default");
  field(out, "protocol", std::to_string(ip.protocol), "TCP");
  field(out, "header checksum", hex(f.ip_checksum(), 4),
        ip_checksum_ok(f) ? "correct: RFC 1071 over the 20 header bytes" : "WRONG (corrupted on purpose)");
  field(out, "source", ip_text(ip.source), "loopback");
  field(out, "destination", ip_text(ip.destination), "loopback");
}

void print_ipv6(std::ostream& out, const frame& f) {
  const ipv6_header& ip = f.ipv6;
  out << "  IPv6 (" << ipv6_header::size << " bytes)\n";
  field(out, "version", "6", "IPv6");
  field(out, "traffic class", hex(ip.traffic_class, 2), "DSCP 0, ECN 0");
  field(out, "flow label", hex(ip.flow_label, 5), "no flow");
  field(out, "payload length", std::to_string(ip.payload_length), "TCP header + data (fixed header excluded)");
  field(out, "next header", std::to_string(ip.next_header), "TCP");
  field(out, "hop limit", std::to_string(ip.hop_limit), "Linux's default");
  field(out, "source", ip_text(ip.source), "loopback");
  field(out, "destination", ip_text(ip.destination), "loopback; IPv6 has no header checksum");
}

void print_tcp(std::ostream& out, const frame& f, const connection_info& c) {
  const tcp_header& t = f.tcp;
  const bool from_client = t.source_port == c.client_port;
  const std::uint32_t own_isn = from_client ? c.client_isn : c.server_isn;
  const std::uint32_t peer_isn = from_client ? c.server_isn : c.client_isn;
  out << "  TCP (" << t.size() << " bytes)\n";
  field(out, "source port", std::to_string(t.source_port), from_client ? c.client_app + "'s client" : "the server");
  field(out, "destination port", std::to_string(t.destination_port),
        from_client ? "the server" : c.client_app + "'s client");
  field(out, "sequence", std::to_string(t.sequence),
        "relative " + std::to_string(t.sequence - own_isn) + ": first byte this segment carries (ISN " +
            std::to_string(own_isn) + ")");
  if (t.flags & tcp_flag::ack)
    field(out, "acknowledgment", std::to_string(t.acknowledgment),
          "relative " + std::to_string(t.acknowledgment - peer_isn) + ": next byte expected from the peer");
  else
    field(out, "acknowledgment", "0", "not used without ACK");
  field(out, "data offset", std::to_string(t.size() / 4), "header length " + std::to_string(t.size()) + " bytes");
  field(out, "flags", hex(t.flags, 3), tcp_flag_names(t.flags));
  field(out, "window", std::to_string(t.window), "bytes the sender can receive (no scaling)");
  field(
      out, "checksum", hex(f.tcp_checksum(), 4),
      tcp_checksum_ok(f) ? "correct: RFC 1071 over pseudo-header + TCP header + data" : "WRONG (corrupted on purpose)");
  field(out, "urgent pointer", "0", "no urgent data");
  if (t.mss) field(out, "option MSS", std::to_string(*t.mss), "kind 2, length 4: largest segment it accepts");
}

void hex_band(std::ostream& out, const char* label, const bytes& wire, std::size_t begin, std::size_t end) {
  for (std::size_t row = begin; row < end; row += 16) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "    %-5s %04zx ", row == begin ? label : "", row);
    out << buf;
    for (std::size_t i = row; i < end && i < row + 16; ++i) {
      std::snprintf(buf, sizeof buf, " %02x", wire[i]);
      out << buf;
    }
    out << "\n";
  }
}

}  // namespace

void print_frame(std::ostream& out, const conversation& conv, std::size_t number) {
  const frame& f = conv.frames.at(number - 1);
  const connection_info& c = conv.connections.at(f.connection);
  out << "Frame " << number << "  " << format_timestamp(f.time_us) << "  stream " << f.connection << "  " << f.role;
  if (f.msg_id) out << "  msg_id " << *f.msg_id;
  out << "  (" << f.wire.size() << " bytes)\n";
  out << "  Ethernet II (" << ethernet_header::size << " bytes)\n";
  field(out, "destination", mac_text(f.ethernet.destination), "lo has no hardware address: all zero");
  field(out, "source", mac_text(f.ethernet.source), "");
  field(out, "type", hex(f.ethernet.ether_type, 4), f.is_ipv6 ? "IPv6" : "IPv4");
  if (f.is_ipv6)
    print_ipv6(out, f);
  else
    print_ipv4(out, f);
  print_tcp(out, f, c);
  if (!f.payload.empty()) {
    out << "  Data (" << f.payload.size() << " bytes)\n";
    out << "    " << quoted(f.payload, 96) << "\n";
  }
  out << "  Hex, one band per layer (offset from the frame's start)\n";
  hex_band(out, "eth", f.wire, 0, f.ip_offset);
  hex_band(out, f.is_ipv6 ? "ipv6" : "ipv4", f.wire, f.ip_offset, f.tcp_offset);
  hex_band(out, "tcp", f.wire, f.tcp_offset, f.payload_offset);
  hex_band(out, "data", f.wire, f.payload_offset, f.wire.size());
  out << "\n";
}

void print_summary(std::ostream& out, const conversation& conv) {
  for (std::size_t i = 0; i < conv.frames.size(); ++i) {
    const frame& f = conv.frames[i];
    const connection_info& c = conv.connections.at(f.connection);
    const bool from_client = f.tcp.source_port == c.client_port;
    const std::uint32_t own_isn = from_client ? c.client_isn : c.server_isn;
    const std::uint32_t peer_isn = from_client ? c.server_isn : c.client_isn;
    char buf[160];
    std::snprintf(buf, sizeof buf, "%4zu %s s%zu %5u -> %-5u %-9s seq=%-5u ack=%-5u len=%-4zu", i + 1,
                  format_timestamp(f.time_us).c_str(), f.connection, f.tcp.source_port, f.tcp.destination_port,
                  ("[" + tcp_flag_names(f.tcp.flags) + "]").c_str(), f.tcp.sequence - own_isn,
                  (f.tcp.flags & tcp_flag::ack) ? f.tcp.acknowledgment - peer_isn : 0U, f.payload.size());
    out << buf << ' ' << f.role;
    if (f.msg_id) out << " msg_id=" << *f.msg_id;
    out << "\n";
  }
}

void print_worked_checksum(std::ostream& out, const conversation& conv, std::size_t number) {
  const frame& f = conv.frames.at(number - 1);
  const std::size_t tcp_length = f.wire.size() - f.tcp_offset;
  const bytes pseudo = f.is_ipv6 ? f.ipv6.pseudo_header(static_cast<std::uint32_t>(tcp_length))
                                 : f.ipv4.pseudo_header(static_cast<std::uint16_t>(tcp_length));
  // The summed bytes: pseudo-header, then the segment with its checksum field zeroed.
  bytes segment(f.wire.begin() + static_cast<std::ptrdiff_t>(f.tcp_offset), f.wire.end());
  segment[16] = 0;
  segment[17] = 0;

  out << "Worked RFC 1071 checksum: TCP checksum of frame " << number << "\n";
  out << "  pseudo-header (" << pseudo.size() << " bytes): source, destination, "
      << (f.is_ipv6 ? "upper-layer length (32 bits), 3 zero bytes, next header"
                    : "zero, protocol 6, TCP length " + std::to_string(tcp_length))
      << "\n";
  std::uint32_t sum = 0;
  auto words = [&](const char* title, const bytes& data) {
    out << "  " << title << "\n";
    for (std::size_t row = 0; row < data.size(); row += 16) {
      out << "   ";
      for (std::size_t i = row; i < data.size() && i < row + 16; i += 2) {
        const std::uint16_t word = static_cast<std::uint16_t>(
            (data[i] << 8) | (i + 1 < data.size() ? data[i + 1] : 0));  // odd byte: padded with zero
        sum += word;
        char buf[8];
        std::snprintf(buf, sizeof buf, " %04x", word);
        out << buf;
      }
      out << "   running sum " << hex(sum, 8) << "\n";
    }
  };
  words("pseudo-header words:", pseudo);
  words("TCP header (checksum field set to 0000), then data words (an odd last byte is padded with 00):", segment);

  out << "  32-bit sum                      " << hex(sum, 8) << "\n";
  std::uint32_t folded = sum;
  while (folded >> 16) {
    const std::uint32_t next = (folded & 0xFFFF) + (folded >> 16);
    out << "  fold the carries: " << hex(folded & 0xFFFF, 4) << " + " << hex(folded >> 16, 4) << " = " << hex(next, 4)
        << "\n";
    folded = next;
  }
  const auto result = static_cast<std::uint16_t>(~folded);
  out << "  one's complement: ~" << hex(folded, 4) << " = " << hex(result, 4) << "\n";
  out << "  checksum field in the frame:    " << hex(f.tcp_checksum(), 4)
      << (result == f.tcp_checksum() ? " (matches)" : " (DIFFERS: corrupted on purpose)") << "\n";
  checksum_accumulator check;
  check.add(pseudo);
  check.add(std::span(f.wire).subspan(f.tcp_offset));
  out << "  receiver's check: the same sum with the field in place folds to " << hex(check.folded(), 4)
      << " (0xffff means intact)\n\n";
}

}  // namespace chat::encap
