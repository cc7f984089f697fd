// The colours of the interactive screen, decided in one place: which lines and
// words are coloured, and whether the terminal gets colours at all.
#pragma once

#include <string>
#include <string_view>

namespace chat::client {

// True if colours go on: the output is a terminal whose TERM is set and not
// "dumb", NO_COLOR is unset or empty (https://no-color.org: any non-empty value
// turns colours off) and --no-color was not given. `term` and `no_color` are the
// environment's values, null when unset.
bool colours_wanted(bool no_color_flag, const char* no_color, const char* term, bool output_is_terminal);

// What a shown line is, by the prefix describe_server_line() and the echo give it.
enum class tone { plain, own_nick, partner_nick, error, event };

// The SGR sequence that starts a tone ("" for plain): own nick bold cyan, the
// partner's nick bold yellow, errors red, events (*** lines) green.
std::string_view tone_start(tone t);

// One shown line (after its time stamp, already escaped) with its colours: in
// "<Noy> hi" the nick is coloured (own_nick if it is `own_name`, partner_nick
// otherwise), "!!! ..." is an error and "*** ..." an event, each coloured whole
// and reset at its end. Unchanged when `on` is false or the line has none of
// these forms.
std::string paint(std::string_view shown, std::string_view own_name, bool on);

}  // namespace chat::client
