#include "client/reconnect_verdict.hpp"

#include "chat/protocol.hpp"

namespace chat::client {

after_session verdict_after_session(const session_end& end) {
  const bool ended_without_quit = end.closed && !end.quit_sent && !end.terminal_failed;
  if (!ended_without_quit) return after_session::leave;
  if (end.bye_seen && end.bye_reason == "REGISTER_TIMEOUT" && !end.registered) return after_session::reopen_quietly;
  const bool dropped = !end.bye_seen || end.bye_reason == "SHUTDOWN";
  return dropped && end.reconnect_allowed ? after_session::reconnect : after_session::leave;
}

name_reclaim::step name_reclaim::on_reply(std::string_view reply, clock::time_point now,
                                          std::chrono::milliseconds next_delay) {
  const auto [head, rest] = protocol::split_server_line(reply);
  if (head != "ERR" || protocol::split_word(rest).first != "NAME_TAKEN") return step::done;
  if (!deadline_) deadline_ = now + name_wait_;
  return now + next_delay < *deadline_ ? step::retry : step::ask_another_name;
}

}  // namespace chat::client
