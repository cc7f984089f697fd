// cluster_node, frames from other nodes: each arrives on a libnats thread and is posted to the
// router's strand, with at most max_inflight posted and not yet handled (what other nodes can
// make this one hold); there a CONNECT and its reply go to node_connect.cpp, and a MSG, its
// ack and the end of a chat to the remote peer they are for.
#include <spdlog/spdlog.h>

#include "cluster/node.hpp"
#include "cluster/node_post.hpp"
#include "server/router.hpp"

namespace chat::cluster {

namespace {

// Frames from other nodes posted to the router and not yet handled, at most.
constexpr std::size_t max_inflight = 16384;
// A MSG's ack goes out at once after this many (and on every tick otherwise).
constexpr std::uint64_t ack_every = 512;

}  // namespace

void cluster_node::incoming(std::string payload) {
  {
    std::unique_lock lock(inflight_mutex_);
    inflight_changed_.wait(lock, [this] { return inflight_ < max_inflight || stopping_; });
    if (stopping_) return;
    ++inflight_;
  }
  post([payload = std::move(payload)](cluster_node& node) {
    node.handle_frame(payload);
    {
      std::lock_guard lock(node.inflight_mutex_);
      --node.inflight_;
    }
    node.inflight_changed_.notify_one();
  });
}

void cluster_node::handle_frame(const std::string& payload) {
  const auto f = wire::parse(payload);
  if (!f) {
    spdlog::warn("dropping a malformed cluster frame");
    return;
  }
  using kind = wire::kind;
  switch (f->what) {
    case kind::connect:
      incoming_connect(*f);
      return;
    case kind::reply:
      connect_reply(*f);
      return;
    case kind::msg: {
      const auto remote = remote_peer_of(f->node, f->sid);
      if (!remote) return;  // the chat ended here already; its sender hears of it by a D frame
      if (!remote->received(f->seq)) {
        end_remote_peer(remote, "a MSG from its node was lost");
        return;
      }
      router_.apply_outcome(router_.names().handle(remote->id(), protocol::command{command_kind::msg, f->rest}));
      stats_.messages_received.fetch_add(1);
      if (f->seq % ack_every == 0) remote->send_ack();
      return;
    }
    case kind::ack:
      if (const auto remote = remote_peer_of(f->node, f->sid)) remote->acked(f->seq);
      return;
    case kind::disconnect:
      if (const auto remote = remote_peer_of(f->node, f->sid)) {
        remote->remote_ended();
        if (f->seq > remote->delivered()) {
          spdlog::warn("{} ended its chat after MSG {} but {} arrived", remote->describe(), f->seq,
                       remote->delivered());
        }
        router_.apply_outcome(router_.names().leave(remote->id()));
        remote->end_chat();
      }
      return;
  }
}

}  // namespace chat::cluster
