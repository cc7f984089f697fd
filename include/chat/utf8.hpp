// The one UTF-8 decoder: the server's validation of every line and the client's
// terminal escaping both read code points through it (RFC 3629: no overlong
// forms, no UTF-16 surrogates, nothing past U+10FFFF).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace chat::utf8 {

struct sequence {
  std::uint32_t code;  // the code point
  std::size_t length;  // its bytes, 1 to 4
};

// Decodes the code point at the start of `bytes` (which must not be empty), or
// nothing if it does not start with a valid sequence (a stray continuation byte,
// a truncated, overlong or surrogate sequence, a value past U+10FFFF).
inline std::optional<sequence> decode(std::string_view bytes) {
  const auto lead = static_cast<unsigned char>(bytes[0]);
  if (lead < 0x80) return sequence{lead, 1};
  std::size_t length = 0;
  std::uint32_t min = 0;
  std::uint32_t code = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, min = 0x80, code = lead & 0x1Fu;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, min = 0x800, code = lead & 0x0Fu;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, min = 0x10000, code = lead & 0x07u;
  } else {
    return std::nullopt;
  }
  if (bytes.size() < length) return std::nullopt;
  for (std::size_t k = 1; k < length; ++k) {
    const auto c = static_cast<unsigned char>(bytes[k]);
    if ((c & 0xC0) != 0x80) return std::nullopt;
    code = (code << 6) | (c & 0x3Fu);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return std::nullopt;
  return sequence{code, length};
}

}  // namespace chat::utf8
