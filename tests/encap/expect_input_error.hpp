// The check every reader test of Part 1 makes on a bad input: an input_error that points at
// FILE:LINE:COLUMN and says `words`.
#pragma once

#include <catch2/catch.hpp>
#include <cstddef>
#include <string>

#include "encap/input_error.hpp"

// Runs read(csv, file), expecting an input_error at line:column whose text contains `words`.
template <typename Read>
void expect_input_error(Read read, const std::string& file, const std::string& csv, std::size_t line,
                        std::size_t column, const std::string& words) {
  try {
    read(csv, file);
    FAIL("no error for: " << csv);
  } catch (const chat::encap::input_error& e) {
    CHECK(e.line() == line);
    CHECK(e.column() == column);
    CHECK_THAT(e.what(), Catch::Contains(words));
    CHECK_THAT(e.what(), Catch::StartsWith(file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": "));
  }
}
