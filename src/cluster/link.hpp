// The seam between the router and cluster mode (README, Cluster mode). The router
// shows every request from a connection to the link first; the link may take one
// over (a REGISTER that must claim its name cluster-wide, a CONNECT to a user on
// another node, a WHO over all nodes) and answer it later through router::resume.
// All calls run on the router's strand.
#pragma once

#include <string>

#include "server/peer.hpp"

namespace chat {

class router;
struct router_request;

class cluster_link {
 public:
  virtual ~cluster_link() = default;
  // True if the link took `request` over: the router then holds the session's later
  // requests until the link calls router::resume for it.
  virtual bool intercept(router& r, router_request& request) = 0;
  // After each request: drops the stand-ins of remote users whose chats ended.
  virtual void settle(router& r) = 0;
  // The router is shutting down: stop timers so the pool can finish.
  virtual void shutdown() = 0;
};

}  // namespace chat
