// Record times at the edges of what classic pcap can store: the epoch, one microsecond
// after it, the end of unsigned 32-bit seconds (2106-02-07T06:28:16Z), before 1970 and in
// year 9999. Every record written has ts_usec < 1,000,000 and no record goes back in time;
// what cannot be stored is refused naming the row and its timestamp column.
#include <catch2/catch.hpp>
#include <cstdint>
#include <sstream>
#include <vector>

#include "encap/chat_rows.hpp"
#include "encap/conversation.hpp"
#include "encap/input_error.hpp"
#include "encap/pcap_writer.hpp"
#include "encap/timestamp.hpp"

using namespace chat::encap;

namespace {

const std::string header = "msg_id,app_protocol,src_app,dst_app,src_port,dst_port,message,timestamp\n";

// One exchange, both rows at `first` and `second`: 3 handshake + 2 x (data, ACK) + 3 teardown frames.
std::string exchange(const std::string& first, const std::string& second) {
  return header + "1,C,Noy,server,50001,5555,REGISTER Noy," + first + "\n2,C,server,Noy,5555,50001,OK," + second + "\n";
}

conversation build(const std::string& text) {
  return build_conversation(read_chat_rows(text, "t.csv"), {}, "t.csv");
}

std::uint32_t le32(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v |= std::uint32_t{static_cast<unsigned char>(bytes[at + i])} << (8 * i);
  return v;
}

// The (seconds, microseconds) of every record, read back from the file's bytes.
std::vector<pcap_time> record_times(const conversation& conv) {
  std::ostringstream out;
  REQUIRE(write_pcap(out, conv.frames, link_type::ethernet));
  const std::string bytes = out.str();
  std::vector<pcap_time> times;
  for (std::size_t at = 24; at < bytes.size(); at += 16 + le32(bytes, at + 8))
    times.push_back({le32(bytes, at), le32(bytes, at + 4)});
  REQUIRE(times.size() == conv.frames.size());
  return times;
}

void check_well_formed(const std::vector<pcap_time>& times) {
  for (std::size_t i = 0; i < times.size(); ++i) {
    CHECK(times[i].micros < 1'000'000);
    if (i > 0) {
      const auto before = std::uint64_t{times[i - 1].seconds} * 1'000'000 + times[i - 1].micros;
      CHECK(std::uint64_t{times[i].seconds} * 1'000'000 + times[i].micros >= before);
    }
  }
}

// The input_error a refused file raises.
input_error refusal(const std::string& text) {
  try {
    build(text);
  } catch (const input_error& e) {
    return e;
  }
  FAIL("the file was accepted");
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("pcap time: the fields of a record at the edges of the format", "[encap][pcap][time]") {
  CHECK(to_pcap_time(0) == pcap_time{0, 0});
  CHECK(to_pcap_time(1) == pcap_time{0, 1});
  CHECK(to_pcap_time(999'999) == pcap_time{0, 999'999});
  CHECK(to_pcap_time(1'000'000) == pcap_time{1, 0});
  CHECK(to_pcap_time(pcap_last_time_us) == pcap_time{4'294'967'295U, 999'999});
  CHECK(format_timestamp(pcap_last_time_us) == "2106-02-07T06:28:15.999999Z");
  CHECK_FALSE(to_pcap_time(pcap_last_time_us + 1));
  CHECK_FALSE(to_pcap_time(-1));
  CHECK_FALSE(to_pcap_time(*parse_timestamp("9999-12-31T23:59:59Z")));
  // Below a microsecond is refused, never rounded into the next second.
  CHECK_FALSE(parse_timestamp("0.0000001"));
  CHECK_FALSE(parse_timestamp("4294967295.9999999"));
}

TEST_CASE("pcap time: a first row at the epoch moves its handshake up to it", "[encap][pcap][time]") {
  for (const std::string zero : {"0", "1970-01-01T00:00:00Z", "0.000001", "1970-01-01T00:00:00.000001Z"}) {
    CAPTURE(zero);
    const auto conv = build(exchange(zero, zero));
    const auto times = record_times(conv);
    check_well_formed(times);
    // SYN, SYN/ACK, ACK from the epoch on, then the data 100 us apart.
    CHECK(times[0] == pcap_time{0, 0});
    CHECK(times[2] == pcap_time{0, 200});
    CHECK(times[3] == pcap_time{0, 300});
  }
  // When the gap allows it, the handshake still comes just before the first data.
  const auto times = record_times(build(exchange("0.000301", "1")));
  CHECK(times[0] == pcap_time{0, 1});
  CHECK(times[3] == pcap_time{0, 301});
  CHECK(times[5] == pcap_time{1, 0});
}

TEST_CASE("pcap time: the last second unsigned 32 bits hold is written, the next is refused", "[encap][pcap][time]") {
  // 2106-02-07T06:28:15Z is 4294967295 s: every frame of the exchange fits in that second.
  const auto times = record_times(build(exchange("2106-02-07T06:28:15Z", "2106-02-07T06:28:15.5Z")));
  check_well_formed(times);
  CHECK(times.front() == pcap_time{4'294'967'294U, 999'700});
  CHECK(times.back().seconds == 4'294'967'295U);

  // 2106-02-07T06:28:16Z would wrap to 1970: refused at the row and column of its timestamp.
  const auto past = refusal(exchange("2106-02-07T06:28:15Z", "2106-02-07T06:28:16Z"));
  CHECK(past.line() == 3);
  CHECK(past.column() == 30);
  CHECK_THAT(past.what(),
             Catch::Contains("t.csv:3:30: column timestamp") && Catch::Contains("after 2106-02-07T06:28:15.999999Z"));
  // A row just inside whose ACK and teardown would not fit is refused as well, not wrapped.
  const auto edge = refusal(exchange("2106-02-07T06:28:15Z", "4294967295.999999"));
  CHECK(edge.line() == 3);
  CHECK_THAT(edge.what(), Catch::Contains("column timestamp"));
  // In Unix seconds too.
  CHECK(refusal(exchange("4294967296", "4294967296")).line() == 2);
}

TEST_CASE("pcap time: rows before 1970 and in year 9999 are refused at their row", "[encap][pcap][time]") {
  const auto before = refusal(exchange("1969-12-31T23:59:59.999999Z", "1970-01-01T00:00:01Z"));
  CHECK(before.line() == 2);
  CHECK(before.column() == 40);
  CHECK_THAT(before.what(), Catch::Contains("1969-12-31T23:59:59.999999Z is before 1970-01-01T00:00:00Z"));
  const auto far = refusal(exchange("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"));
  CHECK(far.line() == 2);
  CHECK_THAT(far.what(), Catch::Contains("after 2106-02-07T06:28:15.999999Z"));
}

TEST_CASE("pcap time: the writer refuses a time it cannot store or one that goes back", "[encap][pcap][time]") {
  auto frames = build(exchange("10", "11")).frames;
  std::ostringstream out;
  frames[4].time_us = frames[3].time_us - 1;
  CHECK_THROWS_AS(write_pcap(out, frames, link_type::ethernet), std::out_of_range);
  frames[4].time_us = pcap_last_time_us + 1;
  CHECK_THROWS_AS(write_pcap(out, frames, link_type::ethernet), std::out_of_range);
  frames[0].time_us = -300;
  CHECK_THROWS_AS(write_pcap(out, frames, link_type::ethernet), std::out_of_range);
}
