// A problem in the input file, located for the user: "file:line:column: message".
// The tool turns it into exit code 2, so callers throw it only for bad input, never for bugs.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace chat::encap {

class input_error : public std::runtime_error {
 public:
  input_error(const std::string& file, std::size_t line, std::size_t column, const std::string& message)
      : std::runtime_error(file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message),
        line_(line),
        column_(column) {}

  std::size_t line() const { return line_; }
  std::size_t column() const { return column_; }

 private:
  std::size_t line_;
  std::size_t column_;
};

}  // namespace chat::encap
