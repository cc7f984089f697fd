#include "server/registry.hpp"

#include <vector>

namespace chat::server {

using protocol::command_kind;
using protocol::error_code;

namespace {

outcome reply(session_id to, std::string line) {
  outcome out;
  out.add(to, std::move(line));
  return out;
}

outcome error(session_id to, error_code code) {
  auto out = reply(to, protocol::format_error(code));
  out.error = code;
  return out;
}

}  // namespace

void registry::join(session_id id) {
  users_.try_emplace(id);
}

std::optional<std::string> registry::name_of(session_id id) const {
  const auto it = users_.find(id);
  if (it == users_.end() || it->second.name.empty()) return std::nullopt;
  return it->second.name;
}

bool registry::is_registered(session_id id) const {
  const auto it = users_.find(id);
  return it != users_.end() && !it->second.name.empty();
}

std::optional<session_id> registry::partner_of(session_id id) const {
  const auto it = users_.find(id);
  if (it == users_.end()) return std::nullopt;
  return it->second.partner;
}

outcome registry::handle(session_id from, const protocol::command& cmd) {
  const auto it = users_.find(from);
  if (it == users_.end()) return {};  // left already (kicked as a slow consumer): nothing to answer
  auto& self = it->second;
  switch (cmd.kind) {
    case command_kind::register_name:
      return register_name(from, self, cmd.argument);
    case command_kind::connect:
      return connect(from, self, cmd.argument);
    case command_kind::msg:
      return msg(from, self, cmd.argument);
    case command_kind::disconnect:
      return disconnect(from, self);
    case command_kind::ping:
      return reply(from, protocol::format_pong(cmd.argument));
    case command_kind::who:
      return who(from, cmd.argument);
    case command_kind::help:
      return reply(from, protocol::format_help());
    case command_kind::quit: {
      outcome out;
      out.add(from, protocol::format_ok_bye(), true);
      end_chat(self, out);
      forget(it);
      return out;
    }
  }
  return {};
}

outcome registry::leave(session_id id) {
  outcome out;
  const auto it = users_.find(id);
  if (it == users_.end()) return out;
  end_chat(it->second, out);
  forget(it);
  return out;
}

void registry::forget(std::unordered_map<session_id, user>::iterator it) {
  if (!it->second.name.empty()) {
    by_name_.erase(protocol::name_key(it->second.name));
    if (it->second.remote) --remote_;
    if (on_name_freed_) on_name_freed_(it->first, it->second.name);
  }
  users_.erase(it);
}

bool registry::join_remote(session_id id, const std::string& name) {
  if (!by_name_.try_emplace(protocol::name_key(name), id).second) return false;
  auto& remote_peer = users_[id];
  remote_peer.name = name;
  remote_peer.remote = true;
  ++remote_;
  return true;
}

std::optional<session_id> registry::find(std::string_view name) const {
  const auto it = by_name_.find(protocol::name_key(name));
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

answer_source registry::source_of(session_id from, const protocol::command& cmd) const {
  const auto it = users_.find(from);
  if (it == users_.end()) return answer_source::here;  // handle() answers nothing
  const auto& self = it->second;
  switch (cmd.kind) {
    case command_kind::register_name:
      return register_refusal(self, cmd.argument) ? answer_source::here : answer_source::shared_names;
    case command_kind::connect: {
      const auto check = check_connect(from, self, cmd.argument);
      return check.refusal || check.target ? answer_source::here : answer_source::shared_names;
    }
    case command_kind::who:
      return answer_source::shared_names;
    default:
      return answer_source::here;
  }
}

std::optional<error_code> registry::register_refusal(const user& self, const std::string& name) const {
  if (!self.name.empty()) return error_code::already_registered;
  if (!protocol::is_valid_name(name)) return error_code::invalid_name;
  if (by_name_.contains(protocol::name_key(name))) return error_code::name_taken;
  return std::nullopt;
}

registry::connect_check registry::check_connect(session_id from, const user& self, const std::string& target) const {
  if (self.name.empty()) return {error_code::not_registered, {}};
  if (self.partner) return {error_code::in_chat, {}};
  if (!protocol::is_valid_name(target)) return {error_code::no_such_user, {}};
  const auto found = by_name_.find(protocol::name_key(target));
  if (found == by_name_.end()) return {};
  if (found->second == from) return {error_code::self, {}};
  if (users_.at(found->second).partner) return {error_code::busy, {}};
  return {std::nullopt, found->second};
}

outcome registry::register_name(session_id from, user& self, const std::string& name) {
  if (const auto refusal = register_refusal(self, name)) return error(from, *refusal);
  by_name_.emplace(protocol::name_key(name), from);
  self.name = name;
  return reply(from, protocol::format_ok("REGISTERED", name));
}

outcome registry::connect(session_id from, user& self, const std::string& target) {
  const auto check = check_connect(from, self, target);
  if (check.refusal) return error(from, *check.refusal);
  if (!check.target) return error(from, error_code::no_such_user);
  auto& other = users_.at(*check.target);

  self.partner = *check.target;
  other.partner = from;
  ++chats_;
  outcome out;
  out.add(from, protocol::format_ok("CONNECTED", other.name));
  out.add(*check.target, protocol::format_connected(self.name));
  out.chat_opened = outcome::pair{from, *check.target};
  return out;
}

outcome registry::msg(session_id from, user& self, const std::string& text) {
  if (self.name.empty()) return error(from, error_code::not_registered);
  if (!self.partner) return error(from, error_code::not_in_chat);
  if (text.empty()) return error(from, error_code::empty_message);
  // The sender's name comes from the registry, never from the client.
  return reply(*self.partner, protocol::format_msg(self.name, text));
}

outcome registry::disconnect(session_id from, user& self) {
  if (!self.partner) return error(from, error_code::not_in_chat);
  const auto& peer_name = users_.at(*self.partner).name;
  outcome out;
  out.add(from, protocol::format_ok("DISCONNECTED", peer_name));
  end_chat(self, out);
  return out;
}

void registry::end_chat(user& self, outcome& out) {
  if (!self.partner) return;
  const auto partner = *self.partner;
  auto& other = users_.at(partner);
  out.chat_closed = outcome::pair{*other.partner, partner};
  other.partner.reset();
  self.partner.reset();
  --chats_;
  out.add(partner, protocol::format_disconnected(self.name));
}

outcome registry::who(session_id from, const std::string& prefix) const {
  const auto key = protocol::name_key(prefix);
  std::vector<std::string> names;
  std::size_t total = 0;
  for (auto it = by_name_.lower_bound(key); it != by_name_.end() && it->first.starts_with(key); ++it) {
    if (names.size() < protocol::max_who_names) names.push_back(users_.at(it->second).name);
    ++total;
  }
  return reply(from, protocol::format_who(total, names.data(), names.size()));
}

}  // namespace chat::server
