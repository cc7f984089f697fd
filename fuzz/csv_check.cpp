// Part 1's CSV reader and conversation schema (chat::encap, branch part1). Properties:
// - bad input is an input_error naming the file, with a line and column >= 1, and
//   nothing else ever escapes (any other exception is a crash to libFuzzer);
// - records start on increasing lines, fields on lines and columns >= 1;
// - writing the records back with every field quoted and reading that gives the same
//   fields (the quoting, "" and embedded line-break rules agree with each other);
// - rows accepted by read_chat_rows keep the documented contract (ports, ids, message,
//   timestamps), and a timestamp survives format_timestamp and parse_timestamp.
#include <set>
#include <string>
#include <vector>

#include "checks.hpp"
#include "encap/chat_rows.hpp"
#include "encap/csv_reader.hpp"
#include "encap/input_error.hpp"
#include "encap/timestamp.hpp"

namespace chat::fuzz {
namespace {

using namespace chat::encap;

const std::string file_name = "fuzz.csv";

void check_error(const input_error& e) {
  FUZZ_CHECK(std::string_view(e.what()).starts_with(file_name + ":"));
  FUZZ_CHECK(e.line() >= 1);
  FUZZ_CHECK(e.column() >= 1);
}

std::string quote_all(const std::vector<csv_record>& records) {
  std::string out;
  for (const auto& record : records) {
    for (std::size_t i = 0; i < record.fields.size(); ++i) {
      if (i > 0) out += ',';
      out += '"';
      for (char c : record.fields[i].text) {
        if (c == '"') out += '"';
        out += c;
      }
      out += '"';
    }
    out += '\n';
  }
  return out;
}

void check_records(const std::vector<csv_record>& records) {
  std::size_t previous_line = 0;
  for (const auto& record : records) {
    FUZZ_CHECK(!record.fields.empty());
    FUZZ_CHECK(record.line > previous_line);
    std::size_t field_line = record.line;
    previous_line = field_line;
    for (const auto& field : record.fields) {
      FUZZ_CHECK(field.line >= field_line);  // a quoted line break moves later fields down
      FUZZ_CHECK(field.column >= 1);
      field_line = field.line;
    }
  }

  const std::string again = quote_all(records);
  std::vector<csv_record> reread;
  try {
    reread = parse_csv(again, file_name);
  } catch (const input_error&) {
    check_failed("parse_csv refuses what quote_all wrote from its own output", __FILE__, __LINE__);
  }
  FUZZ_CHECK(reread.size() == records.size());
  for (std::size_t r = 0; r < records.size(); ++r) {
    FUZZ_CHECK(reread[r].fields.size() == records[r].fields.size());
    for (std::size_t f = 0; f < records[r].fields.size(); ++f) {
      FUZZ_CHECK(reread[r].fields[f].text == records[r].fields[f].text);
    }
  }
}

void check_timestamp(std::string_view text) {
  const auto micros = parse_timestamp(text);
  if (!micros) return;
  // format_timestamp writes ISO 8601 with a four-digit year; past 9999 it cannot be read back.
  if (*micros >= 253402300800000000LL) return;
  const std::string formatted = format_timestamp(*micros);
  FUZZ_CHECK(parse_timestamp(formatted) == micros);
}

void check_rows(const std::vector<chat_row>& rows) {
  FUZZ_CHECK(!rows.empty());
  std::set<std::uint64_t> ids;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const chat_row& row = rows[i];
    FUZZ_CHECK(ids.insert(row.msg_id).second);
    FUZZ_CHECK(!row.app_protocol.empty() && !row.src_app.empty() && !row.dst_app.empty());
    FUZZ_CHECK(row.src_port >= 1 && row.dst_port >= 1 && row.src_port != row.dst_port);
    FUZZ_CHECK(!row.message.empty() && row.message.find_first_of("\r\n") == std::string::npos);
    FUZZ_CHECK(i == 0 || row.timestamp_us >= rows[i - 1].timestamp_us);
    FUZZ_CHECK(row.line >= 2);  // the header comes first
    FUZZ_CHECK(row.src_port_column >= 1 && row.dst_port_column >= 1);
  }
}

}  // namespace

void check_csv(std::string_view data) {
  try {
    const auto records = parse_csv(data, file_name);
    check_records(records);
    for (const auto& record : records) {
      for (const auto& field : record.fields) check_timestamp(field.text);
    }
  } catch (const input_error& e) {
    check_error(e);
  }
  try {
    check_rows(read_chat_rows(data, file_name));
  } catch (const input_error& e) {
    check_error(e);
  }
}

}  // namespace chat::fuzz
