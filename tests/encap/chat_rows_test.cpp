// The conversation schema: every error case names file, line and column.
#include "encap/chat_rows.hpp"

#include <catch2/catch.hpp>

#include "encap/input_error.hpp"
#include "encap/timestamp.hpp"
#include "expect_input_error.hpp"

using chat::encap::input_error;
using chat::encap::read_chat_rows;

namespace {
const std::string header = "msg_id,app_protocol,src_app,dst_app,src_port,dst_port,message,timestamp\n";

void expect_error(const std::string& csv, std::size_t line, std::size_t column, const std::string& words) {
  expect_input_error([](const std::string& text, const std::string& file) { return read_chat_rows(text, file); },
                     "in.csv", csv, line, column, words);
}
}  // namespace

TEST_CASE("rows: a valid file, columns in any order, extra columns ignored", "[encap][rows]") {
  const auto rows = read_chat_rows(
      "timestamp,extra,message,dst_port,src_port,dst_app,src_app,app_protocol,msg_id\n"
      "2026-11-24T10:00:00.5Z,x,\"MSG a, \"\"b\"\"\",5555,50001,server,Noy,CHAT/1,7\n"
      "1795514400.75,y,QUIT,5555,50001,server,Noy,CHAT/1,8\n",
      "in.csv");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].msg_id == 7);
  CHECK(rows[0].message == "MSG a, \"b\"");
  CHECK(rows[0].src_port == 50001);
  CHECK(rows[0].dst_port == 5555);
  CHECK(rows[0].src_app == "Noy");
  CHECK(rows[0].timestamp_us == 1795514400500000);
  CHECK(rows[1].timestamp_us == 1795514400750000);
  CHECK(rows[1].line == 3);
}

TEST_CASE("rows error: a missing column", "[encap][rows]") {
  expect_error("msg_id,app_protocol,src_app,dst_app,src_port,dst_port,message\n1,C,a,b,1,2,m\n", 1, 63,
               "missing column \"timestamp\"");
}

TEST_CASE("rows error: a row with too few or too many fields", "[encap][rows]") {
  expect_error(header + "1,C,a,b,1,2,m\n", 2, 14, "malformed row: 7 fields, the header has 8");
  expect_error(header + "1,C,a,b,1,2,m,0,extra\n", 2, 17, "malformed row: 9 fields");
}

TEST_CASE("rows error: a malformed quote is reported by the reader", "[encap][rows]") {
  expect_error(header + "1,C,a,b,1,2,\"m\"x,0\n", 2, 16, "text after a closing double quote");
}

TEST_CASE("rows error: ports outside 1-65535 or not numbers", "[encap][rows]") {
  expect_error(header + "1,C,a,b,0,2,m,0\n", 2, 9, "column src_port: \"0\" is not a port");
  expect_error(header + "1,C,a,b,1,70000,m,0\n", 2, 11, "column dst_port: \"70000\"");
  expect_error(header + "1,C,a,b,http,2,m,0\n", 2, 9, "column src_port");
  expect_error(header + "1,C,a,b,5,5,m,0\n", 2, 11, "same port");
}

TEST_CASE("rows error: timestamps that go back or do not parse", "[encap][rows]") {
  expect_error(header + "1,C,a,b,1,2,m,2026-11-24T10:00:01Z\n2,C,b,a,2,1,n,2026-11-24T10:00:00.999Z\n", 3, 15,
               "earlier than the row before it (line 2)");
  expect_error(header + "1,C,a,b,1,2,m,yesterday\n", 2, 15, "column timestamp");
  expect_error(header + "1,C,a,b,1,2,m,2026-02-30T10:00:00Z\n", 2, 15, "column timestamp");
}

TEST_CASE("rows error: msg_id missing, not a number or repeated", "[encap][rows]") {
  expect_error(header + "x,C,a,b,1,2,m,0\n", 2, 1, "column msg_id");
  expect_error(header + ",C,a,b,1,2,m,0\n", 2, 1, "column msg_id");
  expect_error(header + "1,C,a,b,1,2,m,0\n1,C,b,a,2,1,n,0\n", 3, 1, "used twice");
}

TEST_CASE("rows error: empty message or one with a line break", "[encap][rows]") {
  expect_error(header + "1,C,a,b,1,2,,0\n", 2, 13, "column message is empty");
  expect_error(header + "1,C,a,b,1,2,\"two\nlines\",0\n", 2, 13, "line break");
}

TEST_CASE("rows error: an empty file or a header alone", "[encap][rows]") {
  expect_error("", 1, 1, "no header");
  expect_error(header, 1, 1, "no rows");
}

TEST_CASE("timestamps: ISO 8601 and Unix seconds, round trip", "[encap][rows]") {
  using chat::encap::format_timestamp;
  using chat::encap::parse_timestamp;
  CHECK(parse_timestamp("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_timestamp("2000-03-01 00:00:00.000001") == 951868800000001);
  CHECK(parse_timestamp("951868800.000001") == 951868800000001);
  CHECK(format_timestamp(951868800000001) == "2000-03-01T00:00:00.000001Z");
  CHECK_FALSE(parse_timestamp("2026-13-01T00:00:00Z"));
  CHECK_FALSE(parse_timestamp("2026-11-24T10:00:00.1234567Z"));
  CHECK_FALSE(parse_timestamp("12."));
  CHECK_FALSE(parse_timestamp("-5"));
}
