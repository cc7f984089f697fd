// The conversation builder: handshake, data with the receiver's ACKs, segmentation,
// teardown; sequence numbers that add up; and the pcap file layout.
#include "encap/conversation.hpp"

#include <catch2/catch.hpp>
#include <sstream>

#include "encap/chat_rows.hpp"
#include "encap/input_error.hpp"
#include "encap/pcap_writer.hpp"

using namespace chat::encap;

namespace {
const std::string header = "msg_id,app_protocol,src_app,dst_app,src_port,dst_port,message,timestamp\n";

conversation build(const std::string& body, conversation_options options = {}) {
  return build_conversation(read_chat_rows(header + body, "c.csv"), options, "c.csv");
}
}  // namespace

TEST_CASE("one exchange: handshake, data + ACK each way, FIN teardown", "[encap][conversation]") {
  const auto conv =
      build("1,C,Noy,server,50001,5555,REGISTER Noy,100\n2,C,server,Noy,5555,50001,OK REGISTERED Noy,101\n");
  REQUIRE(conv.connections.size() == 1);
  CHECK(conv.connections[0].server_port == 5555);  // tie: the lower port
  const auto& f = conv.frames;
  REQUIRE(f.size() == 3 + 2 + 2 + 3);
  const std::uint32_t c = conv.connections[0].client_isn;
  const std::uint32_t s = conv.connections[0].server_isn;
  CHECK(f[0].tcp.flags == tcp_flag::syn);
  CHECK(f[0].tcp.sequence == c);
  CHECK(f[0].tcp.acknowledgment == 0);
  CHECK(f[0].tcp.mss == 1460);
  CHECK(f[1].tcp.flags == (tcp_flag::syn | tcp_flag::ack));
  CHECK(f[1].tcp.acknowledgment == c + 1);
  CHECK(f[2].tcp.acknowledgment == s + 1);
  CHECK(f[3].payload == bytes{'R', 'E', 'G', 'I', 'S', 'T', 'E', 'R', ' ', 'N', 'o', 'y', '\n'});
  CHECK(f[3].tcp.flags == (tcp_flag::psh | tcp_flag::ack));
  CHECK(f[3].time_us == 100'000'000);  // the row's own timestamp
  CHECK(f[4].tcp.acknowledgment == c + 1 + 13);
  CHECK(f[5].tcp.source_port == 5555);
  CHECK(f[5].tcp.sequence == s + 1);
  // The server sent the last line, so it closes first.
  CHECK(f[7].tcp.source_port == 5555);
  CHECK(f[7].tcp.flags == (tcp_flag::fin | tcp_flag::ack));
  CHECK(f[8].tcp.flags == (tcp_flag::fin | tcp_flag::ack));
  CHECK(f[9].tcp.flags == tcp_flag::ack);
  CHECK(f[9].tcp.acknowledgment == c + 1 + 13 + 1);
  for (std::size_t i = 1; i < f.size(); ++i) CHECK(f[i].time_us > f[i - 1].time_us);
}

TEST_CASE("a message longer than the MSS is cut into segments, PSH on the last", "[encap][conversation]") {
  conversation_options options;
  options.mss = 4;
  const auto conv = build("1,C,a,b,40000,80,0123456789,0\n", options);
  std::vector<std::size_t> lengths;
  for (const auto& f : conv.frames)
    if (!f.payload.empty()) lengths.push_back(f.payload.size());
  CHECK(lengths == std::vector<std::size_t>{4, 4, 3});  // 10 characters + LF
  CHECK(conv.frames[3].tcp.flags == tcp_flag::ack);
  CHECK(conv.frames[7].tcp.flags == (tcp_flag::psh | tcp_flag::ack));
  CHECK(conv.frames[7].tcp.sequence == conv.frames[3].tcp.sequence + 8);
}

TEST_CASE("the server is the port shared by the connections", "[encap][conversation]") {
  const auto conv =
      build("1,C,Noy,server,1000,7000,A,0\n2,C,Elias,server,1001,7000,B,1\n3,C,server,Noy,7000,1000,C,2\n");
  REQUIRE(conv.connections.size() == 2);
  CHECK(conv.connections[0].server_port == 7000);
  CHECK(conv.connections[0].client_app == "Noy");
  CHECK(conv.connections[1].client_port == 1001);
  // Elias's connection ends after row 2, Noy's after row 3: teardown right after each.
  CHECK(conv.frames.back().connection == 0);
}

TEST_CASE("a given server port: a connection without it is an error at its row", "[encap][conversation]") {
  conversation_options options;
  options.server_port = 9;
  CHECK_THROWS_AS(build("1,C,a,b,1000,7000,A,0\n", options), input_error);
}

TEST_CASE("a port used by two apps is an error naming line and column", "[encap][conversation]") {
  try {
    build("1,C,Noy,server,1000,7000,A,0\n2,C,Elias,server,1000,7000,B,1\n");
    FAIL("no error");
  } catch (const input_error& e) {
    CHECK(e.line() == 3);
    CHECK(e.column() == 18);
    CHECK_THAT(e.what(), Catch::Contains("belongs to Noy"));
  }
}

TEST_CASE("IPv6 frames carry ::1 and no IP checksum", "[encap][conversation]") {
  conversation_options options;
  options.ipv6 = true;
  const auto conv = build("1,C,a,b,1000,7000,A,0\n", options);
  CHECK(conv.frames[0].ethernet.ether_type == ether_type_ipv6);
  CHECK(conv.frames[0].wire.size() == 14 + 40 + 24);
}

TEST_CASE("pcap: global header, records, raw link type drops Ethernet", "[encap][pcap]") {
  const auto conv = build("1,C,a,b,1000,7000,A,1.5\n");
  std::ostringstream eth, raw;
  REQUIRE(write_pcap(eth, conv.frames, link_type::ethernet));
  REQUIRE(write_pcap(raw, conv.frames, link_type::raw));
  const std::string e = eth.str();
  CHECK(e.substr(0, 8) == std::string("\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8));
  CHECK(static_cast<unsigned char>(e[20]) == 1);
  CHECK(static_cast<unsigned char>(raw.str()[20]) == 101);
  std::size_t wire = 0;
  for (const auto& f : conv.frames) wire += f.wire.size();
  CHECK(e.size() == 24 + 16 * conv.frames.size() + wire);
  CHECK(raw.str().size() == e.size() - 14 * conv.frames.size());
  // Same input, same bytes.
  std::ostringstream again;
  write_pcap(again, build("1,C,a,b,1000,7000,A,1.5\n").frames, link_type::ethernet);
  CHECK(again.str() == e);
}
