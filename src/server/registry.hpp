// The chat's state machine: who is registered under which name and who is
// chatting with whom. Pure logic, no I/O and no locking: the router owns one
// instance and feeds it every command in arrival order, so it is the single
// source of truth for names and pairings. Each call returns the lines to send.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "chat/protocol.hpp"
#include "server/peer.hpp"

namespace chat::server {

struct delivery {
  session_id to = 0;
  std::string line;
  // The session ends once this line is written (the reply to QUIT).
  bool last = false;
};

// What one command produces: at most a reply and one event for the partner,
// and the chat it opened or closed, if any. The router applies a closed chat
// before it queues the lines (so no MSG of that chat follows DISCONNECTED) and
// an opened chat after (so none precedes OK CONNECTED).
struct outcome {
  using pair = std::pair<session_id, session_id>;
  std::array<delivery, 2> items;
  std::size_t count = 0;
  std::optional<pair> chat_opened;            // {requester, target}
  std::optional<pair> chat_closed;            // {the side that left, its partner}
  std::optional<protocol::error_code> error;  // the reply is this ERR line (counted by the router)

  void add(session_id to, std::string line, bool last = false) { items.at(count++) = {to, std::move(line), last}; }
  const delivery* begin() const { return items.data(); }
  const delivery* end() const { return items.data() + count; }
};

// Where the answer to a command comes from. `here`: the registry alone. `shared_names`:
// every check the registry makes alone has passed, and what is left depends on names it may
// not hold (cluster mode: a name free here may be held on another node); a single node then
// answers as if they are free (REGISTER succeeds, CONNECT gets NO_SUCH_USER, WHO lists its own).
enum class answer_source { here, shared_names };

class registry {
 public:
  // A connection arrived; it starts unregistered.
  void join(session_id id);
  // A parsed command from a joined connection.
  outcome handle(session_id from, const protocol::command& cmd);
  // Where handle()'s answer to `cmd` would come from. It runs the same checks as handle(),
  // which is the one home of their order: cluster mode asks here instead of restating them.
  answer_source source_of(session_id from, const protocol::command& cmd) const;
  // A connection ended (QUIT, EOF, reset, slow consumer): frees its name and tells its partner.
  outcome leave(session_id id);

  // Cluster mode: a remote peer for a user of another node, already registered as `name`
  // (its node claimed the name); false if a user here holds that name.
  bool join_remote(session_id id, const std::string& name);
  // Cluster mode: told each name a leaving or quitting user frees (the shared claim is released).
  void on_name_freed(std::function<void(session_id, const std::string&)> callback) {
    on_name_freed_ = std::move(callback);
  }

  bool contains(session_id id) const { return users_.contains(id); }
  // Who holds `name` (compared by protocol::name_key), if anyone here does.
  std::optional<session_id> find(std::string_view name) const;
  bool is_registered(session_id id) const;
  // Users registered here: remote peers of remote users are counted on their own nodes.
  std::size_t registered() const { return by_name_.size() - remote_; }
  std::size_t active_chats() const { return chats_; }
  std::optional<std::string> name_of(session_id id) const;
  std::optional<session_id> partner_of(session_id id) const;

 private:
  struct user {
    std::string name;  // empty until REGISTER succeeds
    std::optional<session_id> partner;
    bool remote = false;  // a remote peer (join_remote)
  };

  // The checks of REGISTER and CONNECT, in their order, for handle() and source_of() alike.
  // A REGISTER refusal; none: the name is free here.
  std::optional<protocol::error_code> register_refusal(const user& self, const std::string& name) const;
  // A CONNECT refusal, or the target's session here; neither: no user here holds the name.
  struct connect_check {
    std::optional<protocol::error_code> refusal;
    std::optional<session_id> target;
  };
  connect_check check_connect(session_id from, const user& self, const std::string& target) const;
  outcome register_name(session_id from, user& self, const std::string& name);
  outcome connect(session_id from, user& self, const std::string& target);
  outcome msg(session_id from, user& self, const std::string& text);
  outcome disconnect(session_id from, user& self);
  outcome who(session_id from, const std::string& prefix) const;
  // Ends self's chat, if any, and tells the partner.
  void end_chat(user& self, outcome& out);
  void forget(std::unordered_map<session_id, user>::iterator it);

  std::unordered_map<session_id, user> users_;
  std::map<std::string, session_id> by_name_;  // key: protocol::name_key(name), sorted for WHO
  std::size_t chats_ = 0;
  std::size_t remote_ = 0;  // remote peers in by_name_
  std::function<void(session_id, const std::string&)> on_name_freed_;
};

}  // namespace chat::server
