// What the files that define cluster_node's members (node*.cpp) share, and only they:
// cluster_node::post, which needs the router that node.hpp's includers need not see, and the
// names they all use, from the core whose seam the node implements and from the protocol.
#pragma once

#include "cluster/node.hpp"
#include "server/router.hpp"

namespace chat::cluster {

using namespace chat::server;
using protocol::command_kind;
using protocol::error_code;

template <typename F>
void cluster_node::post(F f) {
  asio::post(router_.executor(), [weak = weak_from_this(), f = std::move(f)]() mutable {
    if (const auto self = weak.lock()) {
      f(*self);
      self->settle(self->router_);
    }
  });
}

}  // namespace chat::cluster
