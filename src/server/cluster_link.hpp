// The seam between the router and cluster mode (docs/cluster.md). The router
// shows every request from a connection to the link first; the link may take one
// over (a REGISTER that must claim its name cluster-wide, a CONNECT to a user on
// another node, a WHO over all nodes) and answer it later through router::resume.
// All calls run on the router's strand. The core knows cluster mode only through
// this header: chat_cluster implements it, and chat-server plugs it in
// (server_config::join_cluster), so the linker keeps chat_core free of it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "server/peer.hpp"

namespace chat::server {

class router;
struct router_request;

class cluster_link {
 public:
  virtual ~cluster_link() = default;
  // True if the link took `request` over: the router then holds the session's later
  // requests until the link calls router::resume for it.
  virtual bool intercept(router& r, router_request& request) = 0;
  // After each request: drops the remote peers of remote users whose chats ended.
  virtual void settle(router& r) = 0;
  // The router is shutting down: stop timers so the pool can finish.
  virtual void shutdown() = 0;
};

// Builds and starts the link for `r` once the listeners are bound; `served` is the address
// they serve (a default name for the node). Throws std::runtime_error, fit for the user,
// when the node cannot join its cluster: the server then does not start.
using cluster_joiner = std::function<std::shared_ptr<cluster_link>(router& r, const std::string& served)>;

}  // namespace chat::server
