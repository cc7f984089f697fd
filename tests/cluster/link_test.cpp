// Cluster mode's pure parts, without NATS: the router's hold-and-resume seam that the
// cluster link uses (a session's requests wait behind one the link took over), the
// registry's remote peers, and the frames nodes exchange.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cluster/wire.hpp"
#include "fake_peer.hpp"
#include "server/cluster_link.hpp"
#include "server/router.hpp"

using namespace chat;
using namespace chat::server;
using protocol::command_kind;
using testing::fake_peer;

namespace {

// Takes over every REGISTER and remembers it; the test answers it later.
class holding_link final : public cluster_link {
 public:
  bool intercept(router&, router_request& request) override {
    if (request.what != router_request::kind::command || request.cmd.kind != command_kind::register_name) return false;
    taken.push_back(request);
    return true;
  }
  void settle(router&) override { ++settled; }
  void shutdown() override {}

  std::vector<router_request> taken;
  int settled = 0;
};

struct node {
  asio::thread_pool pool{1};
  server_stats stats;
  router r{pool_executor_of(pool), router_limits{}, stats, [] { return std::size_t{0}; }};
  std::shared_ptr<holding_link> link = std::make_shared<holding_link>();
  std::shared_ptr<fake_peer> alice = std::make_shared<fake_peer>(1);

  node() {
    r.attach(link);
    router_request join;
    join.what = router_request::kind::join;
    join.from = 1;
    join.joining = alice;
    r.handle(join);
  }
  ~node() { pool.join(); }
  void command(command_kind kind, std::string argument) {
    router_request request;
    request.from = 1;
    request.cmd = {kind, std::move(argument)};
    r.handle(request);
  }
};

}  // namespace

// A session's requests behind one the cluster link took over wait, then run in order.
TEST_CASE("router.held_requests_run_in_order") {
  node n;
  n.command(command_kind::register_name, "Noy");
  n.command(command_kind::ping, "1");
  n.command(command_kind::register_name, "Other");
  n.command(command_kind::ping, "2");
  REQUIRE(n.link->taken.size() == 1);
  CHECK(n.alice->lines().empty());  // PING 1 waits behind the REGISTER

  // The claim succeeded: the registry takes the name, the link resumes the session.
  n.r.apply_outcome(n.r.names().handle(1, n.link->taken[0].cmd));
  n.r.resume(1);
  // PING 1 ran; the second REGISTER was taken over again, so PING 2 still waits.
  CHECK(n.alice->lines() == std::vector<std::string>{"OK REGISTERED Noy", "PONG 1"});
  REQUIRE(n.link->taken.size() == 2);

  n.r.apply_outcome(n.r.names().handle(1, n.link->taken[1].cmd));
  n.r.resume(1);
  CHECK(n.alice->lines() == std::vector<std::string>{"OK REGISTERED Noy", "PONG 1",
                                                     "ERR ALREADY_REGISTERED this connection is already "
                                                     "registered",
                                                     "PONG 2"});
  CHECK(n.alice->done == 5);  // the join and four commands, each counted once
}

// A remote peer holds its user's name and chats like a local user.
TEST_CASE("registry.remote_peer") {
  registry reg;
  reg.join(1);
  CHECK(reg.handle(1, {command_kind::register_name, "Noy"}).count == 1);
  CHECK_FALSE(reg.join_remote(100, "noy"));  // taken here, whatever the case
  REQUIRE(reg.join_remote(100, "Elias"));
  CHECK(reg.find("ELIAS") == session_id{100});
  CHECK(reg.registered() == 1);  // a remote peer counts on its own node, not here
  const auto out = reg.handle(100, {command_kind::connect, "noy"});
  REQUIRE(out.chat_opened);
  CHECK(out.items[0].line == "OK CONNECTED Noy\n");
  CHECK(out.items[1].line == "CONNECTED Elias\n");

  std::vector<std::string> freed;
  reg.on_name_freed([&](session_id id, const std::string& name) { freed.push_back(std::to_string(id) + " " + name); });
  const auto left = reg.leave(100);
  CHECK(left.items[0].line == "DISCONNECTED Elias\n");
  CHECK(freed == std::vector<std::string>{"100 Elias"});
  CHECK_FALSE(reg.find("elias"));
  CHECK(reg.registered() == 1);
}

// Frames round-trip, text keeps its spaces, malformed frames are refused.
TEST_CASE("wire.round_trip") {
  cluster::wire::frame f;
  f.what = cluster::wire::kind::msg;
  f.number = 7;
  f.node = cluster::wire::token("10.0.0.1:7001");
  f.sid = 42;
  f.seq = 123456789;
  f.word = "-";
  f.rest = "  hello  there  ";
  const auto back = cluster::wire::parse(cluster::wire::format(f));
  REQUIRE(back);
  CHECK(back->what == f.what);
  CHECK(back->number == 7);
  CHECK(back->node == f.node);
  CHECK(back->sid == 42);
  CHECK(back->seq == 123456789);
  CHECK(back->rest == f.rest);

  CHECK_FALSE(cluster::wire::parse(""));
  CHECK_FALSE(cluster::wire::parse("X 1 n 2 3 - text"));
  CHECK_FALSE(cluster::wire::parse("M one n 2 3 - text"));
  CHECK_FALSE(cluster::wire::parse("M 1 n 2 3"));
}

// Tokens keep names and node names out of subject syntax.
TEST_CASE("wire.tokens") {
  CHECK(cluster::wire::token("noy") == "noy");
  CHECK(cluster::wire::token(".noy") == "=2Enoy");
  CHECK(cluster::wire::token("a..b") == "a=2E=2Eb");
  CHECK(cluster::wire::token("10.0.0.1:7001") == "10=2E0=2E0=2E1=3A7001");
  CHECK(cluster::wire::token("*>") == "=2A=3E");
  CHECK(cluster::wire::node_subject("n1") == "chat.node.n1");
}
