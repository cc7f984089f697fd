// What the interactive client knows of its session from the server's replies
// (who we are, who we chat with) and what it makes of a typed line. Pure: fed
// server lines, asked for the prompt and for what a typed line is.
//
// Typing rules (irssi/weechat habit, with the course's raw style kept outside a chat):
// - a line starting with `/` is a command: `/connect Elias` sends `connect Elias`;
//   `//` at the start is no command but a line starting with `/` (`//etc` is the text `/etc`);
// - before registering, a line that is not a command is the name wanted
//   (`Noy` sends `REGISTER Noy`);
// - inside a chat, every other line is a message, whatever its first word: a sentence
//   such as `WHO wants pizza?` must reach the partner, never run WHO. A leading `MSG `
//   (in capitals, the course's way to send a message) is dropped: `MSG hello` sends `hello`;
// - outside a chat, a line is sent as typed (`CONNECT Elias`: the server reads keywords in
//   any case), unless it is no command at all: plain text meant as a message is refused.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chat::client {

class chat_state {
 public:
  // Updates the state from one server line (OK REGISTERED, OK CONNECTED,
  // CONNECTED, OK DISCONNECTED, DISCONNECTED).
  void observe(std::string_view server_line);

  // The connection is gone, and the chat with it (the server tells the partner
  // DISCONNECTED); the name is kept, to register it again.
  void end_chat() { partner_.reset(); }

  // "Noy→Elias> " in a chat, "Noy> " once registered, "name> " before.
  std::string prompt() const;

  // What a typed line (not empty) is by the rules above, and what goes out for it.
  struct typed_line {
    enum class kind {
      command,  // `line` is sent as it is (empty for a lone `/`: nothing is sent)
      message,  // `line` is the MSG sent (`/msg hi` too), shown as the conversation in a chat
      refused,  // not sent: `line` tells the user what to do instead
    };
    kind what;
    std::string line;
    // The text of a message, as the partner gets it.
    std::string_view text() const;
  };
  typed_line interpret(std::string_view typed) const;
  const std::optional<std::string>& name() const { return name_; }
  const std::optional<std::string>& partner() const { return partner_; }

 private:
  std::optional<std::string> name_;
  std::optional<std::string> partner_;
};

// The typing rules in a few lines, shown after the server's HELP.
inline constexpr std::string_view typing_help =
    "*** commands start with / (/connect Elias, /who, /disconnect, /quit); in a chat every other line is a message "
    "(// sends a line starting with /, a leading MSG is dropped); outside a chat, commands also work as typed "
    "(CONNECT Elias)";

}  // namespace chat::client
