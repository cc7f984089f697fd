#include "encap/chat_rows.hpp"

#include <array>
#include <fstream>
#include <set>
#include <sstream>

#include "encap/csv_reader.hpp"
#include "encap/input_error.hpp"
#include "encap/timestamp.hpp"

namespace chat::encap {

namespace {

enum column : std::size_t { msg_id, app_protocol, src_app, dst_app, src_port, dst_port, message, timestamp, count };

constexpr std::array<std::string_view, column::count> column_names = {
    "msg_id", "app_protocol", "src_app", "dst_app", "src_port", "dst_port", "message", "timestamp"};

std::uint16_t parse_port(const csv_field& f, std::string_view name, const std::string& file) {
  std::uint32_t value = 0;
  bool ok = !f.text.empty() && f.text.size() <= 5;
  for (char c : f.text) {
    if (c < '0' || c > '9') ok = false;
    if (ok) value = value * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (!ok || value < 1 || value > 65535)
    throw input_error(file, f.line, f.column,
                      "column " + std::string(name) + ": \"" + f.text + "\" is not a port (1-65535)");
  return static_cast<std::uint16_t>(value);
}

std::uint64_t parse_id(const csv_field& f, const std::string& file) {
  std::uint64_t value = 0;
  bool ok = !f.text.empty() && f.text.size() <= 18;
  for (char c : f.text) {
    if (c < '0' || c > '9') ok = false;
    if (ok) value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (!ok) throw input_error(file, f.line, f.column, "column msg_id: \"" + f.text + "\" is not a whole number");
  return value;
}

const std::string& required_text(const csv_field& f, std::string_view name, const std::string& file) {
  if (f.text.empty()) throw input_error(file, f.line, f.column, "column " + std::string(name) + " is empty");
  return f.text;
}

}  // namespace

std::vector<chat_row> read_chat_rows(std::string_view text, const std::string& file_name) {
  const std::vector<csv_record> records = parse_csv(text, file_name);
  if (records.empty()) throw input_error(file_name, 1, 1, "no header row");

  // Map each schema column to its position in this file's header.
  const csv_record& header = records.front();
  std::array<std::size_t, column::count> at{};
  for (std::size_t c = 0; c < column::count; ++c) {
    std::size_t found = header.fields.size();
    for (std::size_t i = 0; i < header.fields.size(); ++i)
      if (header.fields[i].text == column_names[c]) found = i;
    if (found == header.fields.size()) {
      const csv_field& last = header.fields.back();
      throw input_error(file_name, header.line, last.column + last.text.size() + 1,
                        "missing column \"" + std::string(column_names[c]) + "\" in the header");
    }
    at[c] = found;
  }

  std::vector<chat_row> rows;
  std::set<std::uint64_t> ids;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const csv_record& rec = records[r];
    if (rec.fields.size() != header.fields.size()) {
      const csv_field& last = rec.fields.back();
      const std::size_t column = rec.fields.size() > header.fields.size() ? rec.fields[header.fields.size()].column
                                                                          : last.column + last.text.size();
      throw input_error(file_name, rec.line, column,
                        "malformed row: " + std::to_string(rec.fields.size()) + " fields, the header has " +
                            std::to_string(header.fields.size()));
    }
    auto field = [&](column c) -> const csv_field& { return rec.fields[at[c]]; };

    chat_row row;
    row.line = rec.line;
    row.msg_id = parse_id(field(msg_id), file_name);
    if (!ids.insert(row.msg_id).second)
      throw input_error(file_name, field(msg_id).line, field(msg_id).column,
                        "column msg_id: " + field(msg_id).text + " is used twice");
    row.app_protocol = required_text(field(app_protocol), "app_protocol", file_name);
    row.src_app = required_text(field(src_app), "src_app", file_name);
    row.dst_app = required_text(field(dst_app), "dst_app", file_name);
    row.src_port = parse_port(field(src_port), "src_port", file_name);
    row.dst_port = parse_port(field(dst_port), "dst_port", file_name);
    row.src_port_column = field(src_port).column;
    row.dst_port_column = field(dst_port).column;
    if (row.src_port == row.dst_port)
      throw input_error(file_name, field(dst_port).line, field(dst_port).column,
                        "column dst_port: the same port as src_port (both ends share one address)");

    const csv_field& msg = field(message);
    row.message = required_text(msg, "message", file_name);
    if (row.message.find_first_of("\r\n") != std::string::npos)
      throw input_error(file_name, msg.line, msg.column,
                        "column message: a protocol line cannot hold a line break (LF ends it on the wire)");

    const csv_field& ts = field(timestamp);
    const auto micros = parse_timestamp(ts.text);
    if (!micros)
      throw input_error(
          file_name, ts.line, ts.column,
          "column timestamp: \"" + ts.text + "\" is neither ISO 8601 UTC (2026-11-24T10:00:00.250Z) nor Unix seconds");
    if (!rows.empty() && *micros < rows.back().timestamp_us)
      throw input_error(file_name, ts.line, ts.column,
                        "column timestamp: " + ts.text + " is earlier than the row before it (line " +
                            std::to_string(rows.back().line) + ")");
    row.timestamp_us = *micros;
    row.timestamp_column = ts.column;
    rows.push_back(std::move(row));
  }
  if (rows.empty()) throw input_error(file_name, header.line, 1, "no rows after the header");
  return rows;
}

std::vector<chat_row> load_chat_rows(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error(path, 0, 0, "cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  return read_chat_rows(text.str(), path);
}

}  // namespace chat::encap
