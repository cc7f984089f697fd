// cluster_node::post, for the files that define cluster_node's members (node*.cpp) and only
// for them: it needs the router, which node.hpp's includers need not see.
#pragma once

#include "cluster/node.hpp"
#include "server/router.hpp"

namespace chat::cluster {

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
