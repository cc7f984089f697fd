// cluster_node, the shared names: REGISTER claims a name in the bucket before the registry
// takes it, a freed name's claim is released, and WHO lists the bucket.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "cluster/name_claim.hpp"
#include "cluster/node.hpp"
#include "cluster/node_post.hpp"
#include "server/router.hpp"

namespace chat::cluster {

void cluster_node::claim_name(session_id from, const protocol::command& cmd) {
  const auto key = claim_key(cmd.argument);
  const auto value = claim_value(self_, from, cmd.argument);
  worker_.submit([this, from, cmd, key, value] {
    const auto result = names_->claim(key, value, config_.register_wait);
    post([from, cmd, key, result](cluster_node& node) { node.claimed(from, cmd, key, result); });
  });
}

void cluster_node::claimed(session_id from, const protocol::command& cmd, const std::string& key,
                           const name_service::claim_result& result) {
  auto& reg = router_.names();
  using status = name_service::claim_result::status;
  switch (result.outcome) {
    case status::claimed: {
      const bool wanted = reg.contains(from) && !reg.is_registered(from);
      const auto out = wanted ? reg.handle(from, cmd) : outcome{};
      if (reg.is_registered(from)) {
        claims_[from] = {key, result.revision, claim_value(self_, from, cmd.argument)};
        spdlog::info("session {} registered as {} (revision {})", from, cmd.argument, result.revision);
      } else {
        // The session left while its claim was on the way: give the name back.
        worker_.submit([this, key, revision = result.revision] { names_->release(key, revision); });
      }
      router_.apply_outcome(out);
      break;
    }
    case status::taken:
      answer(from, protocol::format_error(error_code::name_taken));
      break;
    case status::unavailable:
      spdlog::warn("REGISTER {}: the name service did not answer: {}", cmd.argument, result.error);
      answer(from, protocol::format_error(error_code::unavailable, "the name service did not answer: " + result.error));
      break;
  }
  router_.resume(from);
}

void cluster_node::name_freed(session_id id, const std::string&) {
  if (id >= first_remote_id) return;
  const auto it = claims_.find(id);
  if (it == claims_.end()) return;
  worker_.submit([this, c = it->second] { names_->release(c.key, c.revision); });
  claims_.erase(it);
}

void cluster_node::list_names(session_id from, const std::string& prefix) {
  worker_.submit([this, from, prefix] {
    std::vector<name_service::entry> entries;
    std::string error;
    bool ok = true;
    try {
      entries = names_->list();
    } catch (const std::exception& e) {
      ok = false;
      error = e.what();
    }
    post([from, prefix, ok, entries = std::move(entries), error](cluster_node& node) {
      node.listed(from, prefix, ok, entries, error);
    });
  });
}

void cluster_node::listed(session_id from, const std::string& prefix, bool ok,
                          const std::vector<name_service::entry>& entries, const std::string& error) {
  if (!ok) {
    answer(from, protocol::format_error(error_code::unavailable, "the name service did not answer: " + error));
    router_.resume(from);
    return;
  }
  const auto wanted = protocol::name_key(prefix);
  std::vector<std::pair<std::string, std::string>> names;  // (key, name)
  for (const auto& e : entries) {
    const auto holder = parse_claim_value(e.value);
    if (!holder) continue;
    auto name_key = protocol::name_key(holder->name);
    if (name_key.starts_with(wanted)) names.emplace_back(std::move(name_key), holder->name);
  }
  std::sort(names.begin(), names.end());
  std::vector<std::string> shown;
  for (std::size_t i = 0; i < names.size() && i < protocol::max_who_names; ++i) shown.push_back(names[i].second);
  answer(from, protocol::format_who(names.size(), shown.data(), shown.size()));
  router_.resume(from);
}

}  // namespace chat::cluster
