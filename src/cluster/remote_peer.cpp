#include "cluster/remote_peer.hpp"

#include "chat/protocol.hpp"
#include "cluster/wire.hpp"

namespace chat::cluster {

using namespace chat::server;  // the core whose seam this implements
namespace {

// One ack-deadline sample per this much time keeps the bookkeeping at a few entries per chat.
constexpr auto sample_interval = std::chrono::milliseconds(50);

}  // namespace

remote_peer::remote_peer(session_id id, address remote, std::string name, std::string self_node,
                         std::shared_ptr<nats_connection> nats, std::shared_ptr<std::vector<session_id>> finished,
                         cluster_stats& stats)
    : id_(id),
      remote_(std::move(remote)),
      name_(std::move(name)),
      self_node_(std::move(self_node)),
      subject_(wire::node_subject(remote_.node)),
      nats_(std::move(nats)),
      finished_(std::move(finished)),
      stats_(stats) {}

std::string remote_peer::describe() const {
  return "remote " + name_ + " (session " + std::to_string(remote_.sid) + " on node " + remote_.node + ")";
}

void remote_peer::send(char kind, std::uint64_t seq, std::string word, std::string rest) {
  wire::frame f;
  f.what = static_cast<wire::kind>(kind);
  f.number = kind == 'R' ? reply_to_ : remote_.sid;
  f.node = self_node_;
  f.sid = local_;
  f.seq = seq;
  f.word = std::move(word);
  f.rest = std::move(rest);
  nats_->publish(subject_, wire::format(f));
}

void remote_peer::publish_msg(std::string_view text) {
  const auto seq = ++sent_;
  const auto now = clock::now();
  if (samples_.empty() || now - samples_.back().second >= sample_interval) samples_.emplace_back(seq, now);
  send('M', seq, "-", std::string(text));
  stats_.messages_sent.fetch_add(1);
}

outbox::push_result remote_peer::deliver(std::string_view line) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  const auto [head, rest] = protocol::split_word(line);
  if (head == "MSG") {
    // Relayed through the router (the sender had requests there): "MSG <sender> <text>".
    const auto [sender, text] = protocol::split_word(rest);
    std::lock_guard lock(mutex_);
    if (open_) publish_msg(text);
  } else if (head == "DISCONNECTED") {
    end_chat();
  } else if (head == "OK" && reply_to_ != 0) {
    // OK CONNECTED <target>: the CONNECT from the remote node succeeded here.
    send('R', 0, "OK", local_name_);
    reply_to_ = 0;
  } else if (head == "ERR" && reply_to_ != 0) {
    send('R', 0, std::string(protocol::split_word(rest).first), "-");
    reply_to_ = 0;
    finish();
  }
  return outbox::push_result::queued;
}

void remote_peer::enter_chat(chat_id, std::string, std::shared_ptr<msg_sink> partner) {
  local_ = partner->sink_id();
  std::lock_guard lock(mutex_);
  open_ = true;
}

void remote_peer::leave_chat() {
  std::lock_guard lock(mutex_);
  open_ = false;
}

msg_sink::result remote_peer::deliver_msg(chat_id, std::string_view, std::string_view text) {
  std::lock_guard lock(mutex_);
  if (!open_) return result::not_in_chat;
  publish_msg(text);
  return result::delivered;
}

bool remote_peer::received(std::uint64_t seq) {
  if (seq != received_ + 1) return false;
  received_ = seq;
  return true;
}

void remote_peer::send_ack() {
  if (received_ == ack_sent_ || ended_) return;
  ack_sent_ = received_;
  send('A', received_, "-", "");
}

void remote_peer::acked(std::uint64_t seq) {
  std::lock_guard lock(mutex_);
  if (seq <= acked_) return;
  acked_ = seq;
  while (!samples_.empty() && samples_.front().first <= acked_) samples_.pop_front();
}

bool remote_peer::overdue(clock::time_point now, std::chrono::milliseconds deadline) const {
  std::lock_guard lock(mutex_);
  return !samples_.empty() && now - samples_.front().second > deadline;
}

void remote_peer::end_chat() {
  if (!ended_) {
    ended_ = true;
    std::uint64_t last = 0;
    {
      std::lock_guard lock(mutex_);
      open_ = false;
      last = sent_;
    }
    if (!remote_ended_) send('D', last, "-", "");
  }
  finish();
}

void remote_peer::finish() {
  if (finished_once_) return;
  finished_once_ = true;
  finished_->push_back(id_);
}

}  // namespace chat::cluster
