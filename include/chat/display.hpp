// What chat-client puts on a terminal. A peer chooses every byte of a MSG, so
// nothing from the network reaches the terminal unescaped: an ESC sequence could
// retitle the window, move the cursor over earlier lines or remap keys. Pure
// functions over bytes, unit-tested without a terminal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chat::client {

// Returns the bytes with everything a terminal would act on shown as text:
// C0 controls as \t, \r, \n or \xHH (ESC is \x1b), DEL as \x7f, C1 controls
// (U+0080-U+009F) and bidirectional overrides (U+202A-U+202E, U+2066-U+2069,
// which can make a line read differently from what it holds) as \uHHHH, and
// every byte that is not part of valid UTF-8 as \xHH. Printable ASCII and valid
// UTF-8 text, backslashes included, are kept as they are.
std::string escape_for_terminal(std::string_view bytes);

// The readable form of one server line (without its LF) for interactive mode,
// already escaped: "MSG Elias hello" -> "<Elias> hello", "ERR BUSY text" ->
// "!!! text (BUSY)", "CONNECTED Noy" -> "*** Noy opened a chat with you", ...
// A line of no known kind is shown escaped as it came.
std::string describe_server_line(std::string_view line);

// The readable form of an `OK WHO <count> <names...>` reply to `WHO <prefix>`:
// the server counts only the names starting with the prefix, so the label says
// so ("*** 1 user matching E: Elias"); without a prefix, "*** 3 users online: ...".
std::string describe_who_reply(std::string_view line, std::string_view prefix);

// The names listed in an `OK WHO` reply, as sent (unescaped): Tab completes them.
std::vector<std::string> who_reply_names(std::string_view line);

}  // namespace chat::client
