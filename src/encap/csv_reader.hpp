// RFC 4180 reader: fields separated by commas, records by CRLF or LF, fields in
// double quotes may hold commas, line breaks and doubled quotes (""). It knows
// nothing of columns' meaning; chat_rows.hpp does.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace chat::encap {

struct csv_field {
  std::string text;    // unquoted value
  std::size_t line;    // 1-based line where the field starts
  std::size_t column;  // 1-based byte column where the field starts
};

struct csv_record {
  std::vector<csv_field> fields;
  std::size_t line;  // 1-based line where the record starts
};

// Splits `text` into records. Blank lines are skipped; a final line break is
// optional. Throws input_error naming `file_name`, line and column for a quote
// inside an unquoted field, text after a closing quote, or an unterminated quote.
std::vector<csv_record> parse_csv(std::string_view text, const std::string& file_name);

}  // namespace chat::encap
