// The router (control plane) driven directly with fake peers: which lines each
// connection gets, and in which order chats open and close around them.
#include "server/router.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "fake_peer.hpp"

using namespace chat;
using namespace chat::server;
using protocol::command_kind;
using testing::fake_peer;

namespace {

using events = std::vector<std::string>;

struct world {
  asio::thread_pool pool{1};
  server_stats stats;
  router r{pool_executor_of(pool), router_limits{}, stats, [] { return std::size_t{0}; }};
  std::vector<std::shared_ptr<fake_peer>> peers;

  world() {
    for (session_id id = 1; id <= 3; ++id) {
      peers.push_back(std::make_shared<fake_peer>(id));
      router_request join;
      join.what = router_request::kind::join;
      join.from = id;
      join.joining = peers.back();
      r.handle(join);
    }
  }
  ~world() { pool.join(); }
  fake_peer& p(session_id id) { return *peers.at(id - 1); }
  void command(session_id from, command_kind kind, std::string arg = {}) {
    router_request req;
    req.what = router_request::kind::command;
    req.from = from;
    req.cmd = {kind, std::move(arg)};
    r.handle(req);
  }
  void request(router_request::kind what, session_id from) {
    router_request req;
    req.what = what;
    req.from = from;
    r.handle(req);
  }
  // What Noy (1) and Elias (2) each got since the last look (both taken, both compared).
  void check_both(const events& noy, const events& elias) {
    CHECK(p(1).take_events() == noy);
    CHECK(p(2).take_events() == elias);
  }
  // Noy (1) and Elias (2) registered and in a chat; events cleared.
  void open_chat() {
    command(1, command_kind::register_name, "Noy");
    command(2, command_kind::register_name, "Elias");
    command(1, command_kind::connect, "Elias");
    for (auto& fp : peers) fp->take_events();
  }
};

}  // namespace

TEST_CASE("router: a join and every command are acknowledged once, after their replies") {
  world w;
  CHECK(w.p(1).done == 1);  // the join
  w.command(1, command_kind::register_name, "Noy");
  w.command(1, command_kind::ping, "x");
  router_request reply;
  reply.what = router_request::kind::reply;
  reply.from = 1;
  reply.line = "ERR UNKNOWN_COMMAND unknown command, try HELP\n";
  w.r.handle(reply);
  CHECK(w.p(1).done == 4);
  CHECK(w.p(1).take_events() ==
        events{"line OK REGISTERED Noy", "line PONG x", "line ERR UNKNOWN_COMMAND unknown command, try HELP"});
}

TEST_CASE("router: CONNECT queues OK CONNECTED and CONNECTED before it opens the chat on both sides") {
  world w;
  w.command(1, command_kind::register_name, "Noy");
  w.command(2, command_kind::register_name, "Elias");
  w.p(1).take_events();
  w.p(2).take_events();
  w.command(1, command_kind::connect, "elias");
  w.check_both({"line OK CONNECTED Elias", "enter 1 Noy with 2"}, {"line CONNECTED Noy", "enter 1 Elias with 1"});
}

TEST_CASE("router: DISCONNECT closes the chat on both sides before it queues the lines") {
  world w;
  w.open_chat();
  w.command(2, command_kind::disconnect);
  w.check_both({"leave", "line DISCONNECTED Elias"}, {"leave", "line OK DISCONNECTED Noy"});
  // A new chat gets a new id: a stale sender's MSG can never match it.
  w.command(1, command_kind::connect, "Elias");
  CHECK(w.p(1).take_events() == events{"line OK CONNECTED Elias", "enter 2 Noy with 2"});
}

TEST_CASE("router: QUIT closes the chat, answers OK BYE as the last line and forgets the connection") {
  world w;
  w.open_chat();
  w.command(1, command_kind::quit);
  w.check_both({"leave", "last OK BYE\n"}, {"leave", "line DISCONNECTED Noy"});
  w.command(1, command_kind::ping);  // nothing answers a forgotten connection
  CHECK(w.p(1).take_events().empty());
  w.command(3, command_kind::register_name, "Noy");  // the name is free
  CHECK(w.p(3).take_events() == events{"line OK REGISTERED Noy"});
}

TEST_CASE("router: a leave frees the name, tells the partner and flushes the connection") {
  world w;
  w.open_chat();
  w.request(router_request::kind::leave, 2);
  w.check_both({"leave", "line DISCONNECTED Elias"}, {"leave", "last "});
}

TEST_CASE("router: a MSG through the router reaches the partner and counts as relayed") {
  world w;
  w.open_chat();
  w.command(1, command_kind::msg, "hello");
  CHECK(w.p(2).take_events() == events{"line MSG Noy hello"});
  CHECK(w.stats.messages_relayed.load() == 1);
}

TEST_CASE("router: a slow consumer is reset, its name freed and its partner told") {
  world w;
  w.open_chat();
  w.p(2).cut_next = true;
  w.command(1, command_kind::msg, "flood");
  w.check_both({"leave", "line DISCONNECTED Elias"}, {"last ", "abort"});
  CHECK(w.stats.slow_consumers.load() == 1);
  w.command(3, command_kind::register_name, "Elias");
  CHECK(w.p(3).take_events() == events{"line OK REGISTERED Elias"});
}

TEST_CASE("router: a partner's report of a slow consumer cuts it once") {
  world w;
  w.open_chat();
  w.request(router_request::kind::slow_consumer, 2);
  w.request(router_request::kind::slow_consumer, 2);  // a second report finds it gone
  w.check_both({"leave", "line DISCONNECTED Elias"}, {"last ", "abort"});
  CHECK(w.stats.slow_consumers.load() == 1);
}

TEST_CASE("router: shutdown says BYE SHUTDOWN to everyone, and to a connection that joins after") {
  world w;
  w.request(router_request::kind::shutdown, 0);
  for (session_id id = 1; id <= 3; ++id)
    CHECK(w.p(id).take_events() == events{"last BYE SHUTDOWN the server is shutting down\n", "stop"});
  auto late = std::make_shared<fake_peer>(9);
  router_request join;
  join.what = router_request::kind::join;
  join.from = 9;
  join.joining = late;
  w.r.handle(join);
  CHECK(late->take_events() == events{"last BYE SHUTDOWN the server is shutting down\n", "stop"});
  CHECK(late->done == 1);
}
