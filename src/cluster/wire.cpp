#include "cluster/wire.hpp"

#include <charconv>

namespace chat::cluster::wire {
namespace {

std::optional<std::string_view> next_word(std::string_view& bytes) {
  const auto space = bytes.find(' ');
  if (space == std::string_view::npos || space == 0) return std::nullopt;
  const auto word = bytes.substr(0, space);
  bytes.remove_prefix(space + 1);
  return word;
}

std::optional<std::uint64_t> next_number(std::string_view& bytes) {
  const auto word = next_word(bytes);
  if (!word) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(word->data(), word->data() + word->size(), value);
  if (ec != std::errc{} || end != word->data() + word->size()) return std::nullopt;
  return value;
}

bool is_kind(char c) {
  return c == 'C' || c == 'R' || c == 'M' || c == 'A' || c == 'D';
}

}  // namespace

std::string format(const frame& f) {
  std::string out;
  out.reserve(48 + f.node.size() + f.word.size() + f.rest.size());
  out += static_cast<char>(f.what);
  out += ' ';
  out += std::to_string(f.number);
  out += ' ';
  out += f.node;
  out += ' ';
  out += std::to_string(f.sid);
  out += ' ';
  out += std::to_string(f.seq);
  out += ' ';
  out += f.word.empty() ? "-" : f.word;
  out += ' ';
  out += f.rest;
  return out;
}

std::optional<frame> parse(std::string_view bytes) {
  frame f;
  const auto what = next_word(bytes);
  if (!what || what->size() != 1 || !is_kind((*what)[0])) return std::nullopt;
  f.what = static_cast<kind>((*what)[0]);
  const auto number = next_number(bytes);
  const auto node = next_word(bytes);
  const auto sid = next_number(bytes);
  const auto seq = next_number(bytes);
  const auto word = next_word(bytes);
  if (!number || !node || !sid || !seq || !word) return std::nullopt;
  f.number = *number;
  f.node = std::string(*node);
  f.sid = *sid;
  f.seq = *seq;
  f.word = std::string(*word);
  f.rest = std::string(bytes);
  return f;
}

std::string token(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-' || u == '_') {
      out += c;
    } else {
      out += '=';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

std::string node_subject(std::string_view node_token) {
  return "chat.node." + std::string(node_token);
}

}  // namespace chat::cluster::wire
