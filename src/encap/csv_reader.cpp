#include "encap/csv_reader.hpp"

#include "encap/input_error.hpp"

namespace chat::encap {

namespace {

// Walks the text once, keeping line and column so errors point at the byte.
class csv_scanner {
 public:
  csv_scanner(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  std::vector<csv_record> records() {
    std::vector<csv_record> out;
    while (pos_ < text_.size()) {
      if (at_line_break()) {  // blank line
        skip_line_break();
        continue;
      }
      out.push_back(record());
    }
    return out;
  }

 private:
  bool at_line_break() const { return text_[pos_] == '\n' || text_[pos_] == '\r'; }
  bool at_crlf() const { return text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n'; }

  // CRLF, LF or a lone CR all end a line.
  void skip_line_break() {
    if (at_crlf()) ++pos_;
    ++pos_;
    ++line_;
    column_ = 1;
  }

  void advance() {
    ++pos_;
    ++column_;
  }

  csv_record record() {
    csv_record rec{{}, line_};
    for (;;) {
      rec.fields.push_back(field());
      if (pos_ >= text_.size()) break;
      if (at_line_break()) {
        skip_line_break();
        break;
      }
      advance();  // the comma
      if (pos_ >= text_.size() || at_line_break()) {
        rec.fields.push_back({"", line_, column_});  // "a,b," ends with an empty field
        if (pos_ < text_.size()) skip_line_break();
        break;
      }
    }
    return rec;
  }

  csv_field field() {
    csv_field f{"", line_, column_};
    if (text_[pos_] == '"') return quoted(f);
    while (pos_ < text_.size() && text_[pos_] != ',' && !at_line_break()) {
      if (text_[pos_] == '"')
        throw input_error(file_, line_, column_, "malformed row: double quote inside an unquoted field");
      f.text.push_back(text_[pos_]);
      advance();
    }
    return f;
  }

  csv_field quoted(csv_field f) {
    advance();  // opening quote
    for (;;) {
      if (pos_ >= text_.size())
        throw input_error(file_, f.line, f.column, "malformed row: quoted field is never closed");
      const char c = text_[pos_];
      if (c == '"') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {  // "" stands for one quote
          f.text.push_back('"');
          advance();
          advance();
          continue;
        }
        advance();  // closing quote
        if (pos_ < text_.size() && text_[pos_] != ',' && !at_line_break())
          throw input_error(file_, line_, column_, "malformed row: text after a closing double quote");
        return f;
      }
      if (c == '\n' || c == '\r') {
        // The line break is part of the value, as written (CRLF stays CRLF), and still counts as a line.
        f.text.append(at_crlf() ? "\r\n" : std::string(1, c));
        skip_line_break();
        continue;
      }
      f.text.push_back(c);
      advance();
    }
  }

  std::string_view text_;
  const std::string& file_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t column_ = 1;
};

}  // namespace

std::vector<csv_record> parse_csv(std::string_view text, const std::string& file_name) {
  return csv_scanner(text, file_name).records();
}

}  // namespace chat::encap
