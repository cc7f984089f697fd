// Header bytes against hand-checked expectations (checksums cross-checked with an
// independent Python computation and with Wireshark).
#include <catch2/catch.hpp>
#include <string>

#include "encap/checksum.hpp"
#include "encap/ethernet.hpp"
#include "encap/frame.hpp"
#include "encap/ipv4.hpp"
#include "encap/ipv6.hpp"
#include "encap/tcp.hpp"

using namespace chat::encap;

namespace {
bytes from_hex(const std::string& text) {
  bytes out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(text.substr(i, 2), nullptr, 16)));
  return out;
}
}  // namespace

TEST_CASE("Ethernet II header: destination, source, type", "[encap][headers]") {
  ethernet_header eth;
  eth.source = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  eth.ether_type = ether_type_ipv6;
  CHECK(eth.serialize() == from_hex("000000000000"
                                    "020000000001"
                                    "86dd"));
}

TEST_CASE("IPv4 header: every field in place, checksum b861", "[encap][headers]") {
  ipv4_header ip;
  ip.total_length = 0x73;
  ip.identification = 0;
  ip.protocol = 17;
  ip.source = {192, 168, 0, 1};
  ip.destination = {192, 168, 0, 199};
  CHECK(ip.serialize() == from_hex("45000073000040004011b861c0a80001c0a800c7"));
}

TEST_CASE("IPv4 header: DSCP, ECN, no DF, TTL and identification", "[encap][headers]") {
  ipv4_header ip;
  ip.dscp = 46;  // EF
  ip.ecn = 1;
  ip.total_length = 40;
  ip.identification = 0xbeef;
  ip.dont_fragment = false;
  ip.ttl = 1;
  ip.source = {127, 0, 0, 1};
  ip.destination = {127, 0, 0, 1};
  const bytes b = ip.serialize();
  REQUIRE(b.size() == 20);
  CHECK(b[1] == 0xb9);  // 46 << 2 | 1
  CHECK(b[4] == 0xbe);
  CHECK(b[5] == 0xef);
  CHECK(b[6] == 0x00);
  CHECK(b[8] == 1);
  CHECK(b[9] == 6);
  CHECK(internet_checksum(b) == 0);  // a correct header sums to ffff
}

TEST_CASE("IPv4 pseudo-header: addresses, zero, protocol, length", "[encap][headers]") {
  ipv4_header ip;
  ip.source = {127, 0, 0, 1};
  ip.destination = {10, 0, 0, 2};
  CHECK(ip.pseudo_header(24) == from_hex("7f0000010a0000020006"
                                         "0018"));
}

TEST_CASE("TCP SYN with the MSS option, checksum bd19", "[encap][headers]") {
  ipv4_header ip;
  ip.source = {127, 0, 0, 1};
  ip.destination = {127, 0, 0, 1};
  tcp_header t;
  t.source_port = 50001;
  t.destination_port = 5555;
  t.sequence = 0x01020304;
  t.flags = tcp_flag::syn;
  t.mss = 1460;
  REQUIRE(t.size() == 24);
  const bytes b = t.serialize(ip.pseudo_header(24), {});
  CHECK(b == from_hex("c35115b3"
                      "01020304"
                      "00000000"
                      "6002"
                      "ffff"
                      "bd19"
                      "0000"
                      "020405b4"));
}

TEST_CASE("TCP data segment with an odd payload, over IPv4 and IPv6", "[encap][headers]") {
  tcp_header t;
  t.source_port = 5555;
  t.destination_port = 50001;
  t.sequence = 100;
  t.acknowledgment = 200;
  t.flags = tcp_flag::psh | tcp_flag::ack;
  const bytes payload = {'h', 'i', '\n'};

  ipv4_header ip4;
  ip4.source = ip4.destination = {127, 0, 0, 1};
  const bytes b4 = t.serialize(ip4.pseudo_header(23), payload);
  CHECK(b4 == from_hex("15b3c351"
                       "00000064"
                       "000000c8"
                       "5018"
                       "ffff"
                       "652d"
                       "0000"));

  ipv6_header ip6;
  ip6.source[15] = 1;
  ip6.destination[15] = 1;
  const bytes b6 = t.serialize(ip6.pseudo_header(23), payload);
  CHECK(get_u16(b6, 16) == 0x632e);
}

TEST_CASE("IPv6 header: version, class, flow label, lengths, addresses", "[encap][headers]") {
  ipv6_header ip;
  ip.traffic_class = 0xb8;
  ip.flow_label = 0x12345;
  ip.payload_length = 23;
  ip.source[15] = 1;
  ip.destination[0] = 0xfe;
  ip.destination[1] = 0x80;
  ip.destination[15] = 2;
  CHECK(ip.serialize() == from_hex("6b812345"
                                   "0017"
                                   "06"
                                   "40"
                                   "00000000000000000000000000000001"
                                   "fe800000000000000000000000000002"));
  CHECK(ip.pseudo_header(23).size() == 40);
}

TEST_CASE("tcp flag names read as Wireshark writes them", "[encap][headers]") {
  CHECK(tcp_flag_names(tcp_flag::syn | tcp_flag::ack) == "SYN, ACK");
  CHECK(tcp_flag_names(tcp_flag::fin | tcp_flag::psh | tcp_flag::ack) == "FIN, PSH, ACK");
  CHECK(tcp_flag_names(0) == "none");
}

TEST_CASE("assemble lays out the layers and corrupt_checksum breaks exactly one sum", "[encap][headers]") {
  frame f;
  f.ipv4.source = f.ipv4.destination = {127, 0, 0, 1};
  f.tcp.source_port = 1;
  f.tcp.destination_port = 2;
  f.payload = {'x'};
  assemble(f);
  CHECK(f.ip_offset == 14);
  CHECK(f.tcp_offset == 34);
  CHECK(f.payload_offset == 54);
  CHECK(f.wire.size() == 55);
  CHECK(f.ipv4.total_length == 41);
  const std::uint16_t ip_sum = f.ip_checksum();
  const std::uint16_t tcp_sum = f.tcp_checksum();
  corrupt_checksum(f, checksum_layer::tcp);
  CHECK(f.ip_checksum() == ip_sum);
  CHECK(f.tcp_checksum() != tcp_sum);
  corrupt_checksum(f, checksum_layer::ip);
  CHECK(f.ip_checksum() != ip_sum);
  CHECK(internet_checksum(std::span(f.wire).subspan(14, 20)) != 0);

  frame g;
  g.is_ipv6 = true;
  assemble(g);
  CHECK(g.wire.size() == 14 + 40 + 20);
  CHECK_THROWS_AS(corrupt_checksum(g, checksum_layer::ip), std::invalid_argument);
}
