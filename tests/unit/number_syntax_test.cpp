#include "chat/number_syntax.hpp"

#include <catch2/catch.hpp>
#include <string>

using chat::cli::number_kind;
using chat::cli::read_number;

namespace {

struct form {
  const char* text;
  const char* as_integer;  // the plain decimal, or nullptr when refused
  const char* as_real;
};

// Every form a user may write, with what an integer setting and a fractional one make of it.
const form forms[] = {
    {"0", "0", "0"},
    {"5", "5", "5"},
    {"12345", "12345", "12345"},
    {"+5", "5", "5"},
    {"-5", "-5", "-5"},
    {"-0", "0", "0"},
    {"+0", "0", "0"},
    {"4_096", "4096", "4096"},
    {"1_000_000", "1000000", "1000000"},
    {"1.5", nullptr, "1.5"},
    {"-0.0", nullptr, "0.0"},
    {"1e3", nullptr, "1e3"},
    {"1E+3", nullptr, "1e3"},
    {"2.5e-1", nullptr, "2.5e-1"},
    {"1e03", nullptr, "1e03"},  // TOML lets an exponent have leading zeros
    {"1_0.2_5", nullptr, "10.25"},
    {"017070", nullptr, nullptr},  // octal in C, refused here
    {"010000", nullptr, nullptr},
    {"00", nullptr, nullptr},
    {"01.5", nullptr, nullptr},
    {"0x10", nullptr, nullptr},
    {"0o17", nullptr, nullptr},
    {"0b1", nullptr, nullptr},
    {"nan", nullptr, nullptr},
    {"NaN", nullptr, nullptr},
    {"-nan", nullptr, nullptr},
    {"inf", nullptr, nullptr},
    {"+inf", nullptr, nullptr},
    {"infinity", nullptr, nullptr},
    {"", nullptr, nullptr},
    {"+", nullptr, nullptr},
    {"_1", nullptr, nullptr},
    {"1_", nullptr, nullptr},
    {"1__0", nullptr, nullptr},
    {".5", nullptr, nullptr},
    {"5.", nullptr, nullptr},
    {"1e", nullptr, nullptr},
    {"1.e3", nullptr, nullptr},
    {" 5", nullptr, nullptr},
    {"5 ", nullptr, nullptr},
    {"\"19091\"", nullptr, nullptr},
    {"[19092]", nullptr, nullptr},
    {"5abc", nullptr, nullptr},
    {"--5", nullptr, nullptr},
};

void check(const form& f, number_kind kind, const char* want) {
  const auto got = read_number(f.text, kind);
  INFO("text '" << f.text << "' as " << (kind == number_kind::integer ? "an integer" : "a real"));
  if (want != nullptr) {
    CHECK(got.error.empty());
    CHECK(got.decimal == want);
  } else {
    CHECK(got.decimal.empty());
    CHECK_FALSE(got.error.empty());
  }
}

}  // namespace

TEST_CASE("every written form, as an integer and as a real") {
  for (const auto& f : forms) {
    check(f, number_kind::integer, f.as_integer);
    check(f, number_kind::real, f.as_real);
  }
}

TEST_CASE("a refusal says why") {
  CHECK(read_number("017070", number_kind::integer).error.find("octal") != std::string::npos);
  CHECK(read_number("nan", number_kind::real).error.find("finite") != std::string::npos);
  CHECK(read_number("0x10", number_kind::integer).error.find("decimal") != std::string::npos);
  CHECK(read_number("1e3", number_kind::integer).error.find("whole number") != std::string::npos);
}
