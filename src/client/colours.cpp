#include "client/colours.hpp"

#include <array>
#include <cstring>

#include "chat/enum_table.hpp"

namespace chat::client {
namespace {

constexpr std::string_view reset = "\x1b[0m";

std::string wrap(std::string_view text, tone t) {
  std::string out(tone_start(t));
  out.append(text);
  out.append(reset);
  return out;
}

}  // namespace

bool colours_wanted(bool no_color_flag, const char* no_color, const char* term, bool output_is_terminal) {
  if (no_color_flag || !output_is_terminal) return false;
  if (no_color != nullptr && *no_color != '\0') return false;
  return term != nullptr && *term != '\0' && std::strcmp(term, "dumb") != 0;
}

// One row per tone, in its order (see tone_start).
constexpr std::array<enum_text<tone>, 5> tone_starts{{
    {tone::plain, ""},
    {tone::own_nick, "\x1b[1;36m"},
    {tone::partner_nick, "\x1b[1;33m"},
    {tone::error, "\x1b[31m"},
    {tone::event, "\x1b[32m"},
}};
static_assert(indexed_by(tone_starts, &enum_text<tone>::value), "tone_starts: one row per tone, in its order");

std::string_view tone_start(tone t) {
  return text_of(tone_starts, t);
}

std::string paint(std::string_view shown, std::string_view own_name, bool on) {
  if (!on) return std::string(shown);
  if (shown.starts_with("!!! ")) return wrap(shown, tone::error);
  if (shown.starts_with("*** ")) return wrap(shown, tone::event);
  if (shown.starts_with('<')) {
    const auto end = shown.find("> ");
    if (end == std::string_view::npos) return std::string(shown);
    const auto nick = shown.substr(0, end + 1);
    const bool own = nick.substr(1, nick.size() - 2) == own_name;
    return wrap(nick, own ? tone::own_nick : tone::partner_nick) + std::string(shown.substr(end + 1));
  }
  return std::string(shown);
}

}  // namespace chat::client
