// The remote peer for a user on another node while it chats with a user here
// (docs/cluster.md, How it works). To the router it is a `peer` registered under the remote
// user's name, so the registry runs the same checks and produces the same lines as
// on one node; the lines it is given become frames to the remote node. To the
// local partner it is a `msg_sink` that numbers each MSG and publishes it.
//
// Exactly once, in order: every MSG of the chat carries the next sequence number;
// the receiving node acknowledges cumulatively (ack_due/acked). The node ends the
// chat on a gap, on an acknowledgement overdue past the deadline, or on a NATS
// reconnect, so a chat is never silently lossy.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cluster/nats_connection.hpp"
#include "cluster/stats.hpp"
#include "server/peer.hpp"

namespace chat::cluster {

class remote_peer final : public server::peer,
                          public server::msg_sink,
                          public std::enable_shared_from_this<remote_peer> {
 public:
  struct address {
    std::string node;  // the remote node's token
    server::session_id sid = 0;
  };

  // `self_node` is this node's token; `finished` collects ids of remote peers whose chats
  // ended (the node drops them after each request); `stats` counts the MSGs sent and
  // must outlive the remote peer.
  remote_peer(server::session_id id, address remote, std::string name, std::string self_node,
              std::shared_ptr<nats_connection> nats, std::shared_ptr<std::vector<server::session_id>> finished,
              cluster_stats& stats);

  server::session_id id() const { return id_; }
  const address& remote() const { return remote_; }
  const std::string& name() const { return name_; }

  // Target side of a CONNECT from the remote node: the registry's answer to it
  // (OK CONNECTED or an error) goes back as a reply frame for `request`; `local`
  // is the target here.
  void expect_reply(std::uint64_t request, server::session_id local, std::string local_name) {
    reply_to_ = request;
    local_ = local;
    local_name_ = std::move(local_name);
  }
  // Requester side: `local` is the user here who asked for the chat.
  void bind_local(server::session_id local) { local_ = local; }

  // Router strand: a MSG frame numbered `seq` arrived. False on a gap (the chat must end).
  bool received(std::uint64_t seq);
  std::uint64_t delivered() const { return received_; }
  // Router strand: sends an ack frame if messages were delivered since the last one.
  void send_ack();
  // Thread-safe: the remote node has delivered up to `seq`.
  void acked(std::uint64_t seq);
  // Thread-safe: a MSG sent before `now - deadline` is still unacknowledged.
  bool overdue(std::chrono::steady_clock::time_point now, std::chrono::milliseconds deadline) const;
  // Router strand: the chat ended here (gap, overdue, reconnect, the chat never opened): tells the remote node once.
  void end_chat();
  // Router strand: the remote node ended the chat; nothing goes back.
  void remote_ended() { remote_ended_ = true; }

  // peer
  server::outbox::push_result deliver(std::string_view line) override;
  void deliver_last(std::string_view) override {}
  void stop_reading() override {}
  void abort() override {}
  void abort_after(std::chrono::milliseconds) override {}
  void request_done() override {}
  void enter_chat(server::chat_id chat, std::string self_name, std::shared_ptr<server::msg_sink> partner) override;
  void leave_chat() override;
  std::shared_ptr<server::msg_sink> sink() override { return shared_from_this(); }
  clock::time_point connected_at() const override { return created_; }
  // Never idle: the remote node times its own user out.
  clock::time_point last_activity() const override { return clock::now(); }
  std::size_t queued_bytes() const override { return 0; }
  std::string describe() const override;

  // msg_sink
  result deliver_msg(server::chat_id chat, std::string_view sender, std::string_view text) override;
  server::session_id sink_id() const override { return id_; }

 private:
  // With mutex_ held: numbers and publishes one MSG frame.
  void publish_msg(std::string_view text);
  void send(char kind, std::uint64_t seq, std::string word, std::string rest);
  void finish();

  server::session_id id_;
  address remote_;
  std::string name_;
  std::string self_node_;
  std::string subject_;
  std::shared_ptr<nats_connection> nats_;
  std::shared_ptr<std::vector<server::session_id>> finished_;
  cluster_stats& stats_;
  clock::time_point created_ = clock::now();

  // Router strand only.
  std::uint64_t reply_to_ = 0;
  server::session_id local_ = 0;  // the partner here
  std::string local_name_;
  std::uint64_t received_ = 0;
  std::uint64_t ack_sent_ = 0;
  bool remote_ended_ = false;
  bool ended_ = false;
  bool finished_once_ = false;

  // Sending side, shared by the partner's strand (direct MSG) and the router's.
  mutable std::mutex mutex_;
  bool open_ = false;
  std::uint64_t sent_ = 0;
  std::uint64_t acked_ = 0;
  // (seq, when) samples of sent MSGs, one per sample_interval, for the ack deadline.
  std::deque<std::pair<std::uint64_t, clock::time_point>> samples_;
};

}  // namespace chat::cluster
