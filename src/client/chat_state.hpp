// What the interactive client knows of its session from the server's replies
// (who we are, who we chat with) and what it makes of a typed line. Pure: fed
// server lines, asked for the prompt and for the line to send.
//
// Typing rules (irssi/weechat habit, with the course's keywords kept):
// - a line starting with `/` is a command: `/connect Elias` sends `connect Elias`;
// - before registering, a line that is not a command is the name wanted
//   (`Noy` sends `REGISTER Noy`);
// - inside a chat, any other line is a message (`who is there?` sends
//   `MSG who is there?`) unless its first word is a keyword written in capitals
//   exactly as the assignment writes them (REGISTER, CONNECT, MSG, DISCONNECT,
//   PING, WHO, QUIT, HELP), which is sent as the command it is;
// - outside a chat, a line is sent as typed: the server reads keywords in any case.
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

  // The line to send for a typed line (not empty), by the rules above.
  std::string to_send(std::string_view typed) const;

  // Registered and outside a chat, a typed line that is no command (plain text, most
  // likely meant as a message) is not sent: this says what to do instead. Nothing for
  // any other line, which to_send() turns into what is sent.
  std::optional<std::string> hint(std::string_view typed) const;
  // True if `sent` (what to_send() made of a line) is a MSG, in any case (`/msg hi`).
  static bool is_message(std::string_view sent);
  const std::optional<std::string>& name() const { return name_; }
  const std::optional<std::string>& partner() const { return partner_; }

 private:
  std::optional<std::string> name_;
  std::optional<std::string> partner_;
};

// The typing rules in a few lines, shown after the server's HELP.
inline constexpr std::string_view typing_help =
    "*** /command works everywhere (/connect Elias, /who, /quit); in a chat, other lines are messages unless they "
    "start with a command in capitals (WHO, DISCONNECT, ...)";

}  // namespace chat::client
