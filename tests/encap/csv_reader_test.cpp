// The RFC 4180 reader: quoting, embedded line breaks, and where errors point.
#include "encap/csv_reader.hpp"

#include <catch2/catch.hpp>

#include "encap/input_error.hpp"
#include "expect_input_error.hpp"

using chat::encap::input_error;
using chat::encap::parse_csv;

namespace {
std::vector<std::string> texts(const chat::encap::csv_record& r) {
  std::vector<std::string> out;
  for (const auto& f : r.fields) out.push_back(f.text);
  return out;
}

// Runs the parser expecting an error at line:column whose text contains `words`.
void expect_error(const std::string& csv, std::size_t line, std::size_t column, const std::string& words) {
  expect_input_error([](const std::string& text, const std::string& file) { return parse_csv(text, file); }, "t.csv",
                     csv, line, column, words);
}
}  // namespace

TEST_CASE("csv: plain fields, LF and CRLF records, no final line break", "[encap][csv]") {
  const auto r = parse_csv("a,b,c\r\n1,2,3\n4,5,6", "t.csv");
  REQUIRE(r.size() == 3);
  CHECK(texts(r[0]) == std::vector<std::string>{"a", "b", "c"});
  CHECK(texts(r[2]) == std::vector<std::string>{"4", "5", "6"});
  CHECK(r[1].line == 2);
  CHECK(r[2].fields[1].column == 3);
}

TEST_CASE("csv: quoted fields keep commas and doubled quotes", "[encap][csv]") {
  const auto r = parse_csv("\"a,b\",\"say \"\"hi\"\"\",\"\"\n", "t.csv");
  REQUIRE(r.size() == 1);
  CHECK(texts(r[0]) == std::vector<std::string>{"a,b", "say \"hi\"", ""});
}

TEST_CASE("csv: embedded line breaks stay in the field and count as lines", "[encap][csv]") {
  const auto r = parse_csv("x,\"one\ntwo\r\nthree\",y\nnext,row,here\n", "t.csv");
  REQUIRE(r.size() == 2);
  CHECK(r[0].fields[1].text == "one\ntwo\r\nthree");
  CHECK(r[0].fields[2].text == "y");
  CHECK(r[0].fields[2].line == 3);
  CHECK(r[1].line == 4);
}

TEST_CASE("csv: empty fields, a trailing comma, blank lines skipped", "[encap][csv]") {
  const auto r = parse_csv("a,,c,\n\n\n1,2,3,4\n", "t.csv");
  REQUIRE(r.size() == 2);
  CHECK(texts(r[0]) == std::vector<std::string>{"a", "", "c", ""});
  CHECK(r[1].line == 4);
}

TEST_CASE("csv error: a quote inside an unquoted field", "[encap][csv]") {
  expect_error("a,b\nab\"c,d\n", 2, 3, "double quote inside an unquoted field");
}

TEST_CASE("csv error: text after a closing quote", "[encap][csv]") {
  expect_error("a,\"b\"x,c\n", 1, 6, "text after a closing double quote");
}

TEST_CASE("csv error: a quoted field never closed points at its opening quote", "[encap][csv]") {
  expect_error("a,b\nc,\"open\nstill open\n", 2, 3, "never closed");
}
