// The conversation CSV's schema: msg_id,app_protocol,src_app,dst_app,src_port,
// dst_port,message,timestamp (any column order, extra columns ignored). Each row
// is one protocol line sent from src to dst; the message column holds the line
// without its LF, which the encapsulator adds back as the protocol's terminator.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chat::encap {

struct chat_row {
  std::uint64_t msg_id = 0;
  std::string app_protocol;
  std::string src_app;
  std::string dst_app;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::string message;
  std::int64_t timestamp_us = 0;  // microseconds since the Unix epoch
  // Where the row is, so later checks (conversation building) can still name line and column.
  std::size_t line = 0;
  std::size_t src_port_column = 0;
  std::size_t dst_port_column = 0;
  std::size_t timestamp_column = 0;
};

// Validates the parsed CSV and returns its rows in file order. Throws input_error
// (file, line, column) for a missing column, a row with the wrong number of fields,
// an empty or non-numeric msg_id, a duplicate msg_id, a port outside 1-65535, equal
// source and destination ports, a message with a line break, a timestamp in
// neither accepted form, or a timestamp earlier than the row before it.
std::vector<chat_row> read_chat_rows(std::string_view text, const std::string& file_name);

// Reads the file, then read_chat_rows. An unreadable file is an input_error at 0:0.
std::vector<chat_row> load_chat_rows(const std::string& path);

}  // namespace chat::encap
