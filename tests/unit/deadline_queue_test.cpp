#include "server/deadline_queue.hpp"

#include <catch2/catch.hpp>
#include <set>

using namespace chat;
using namespace chat::server;
using namespace std::chrono_literals;
using entry = deadline_queue::entry;
using kind = deadline_queue::kind;

TEST_CASE("deadline queue: entries come out earliest first, and only once due") {
  deadline_queue q;
  const auto t0 = deadline_queue::clock::time_point{} + 1h;
  q.add({t0 + 30s, 1, kind::registration});
  q.add({t0 + 300s, 1, kind::idle});
  q.add({t0 + 10s, 2, kind::idle});
  q.add({t0 + 30s, 3, kind::registration});
  CHECK(q.next() == t0 + 10s);
  CHECK_FALSE(q.pop_due(t0 + 9s));  // nothing due yet, nothing removed
  CHECK(q.size() == 4);
  const auto first = q.pop_due(t0 + 10s);  // due exactly at its time
  REQUIRE(first);
  CHECK(first->id == 2);
  std::set<session_id> at30;
  while (const auto due = q.pop_due(t0 + 30s)) at30.insert(due->id);
  CHECK(at30 == std::set<session_id>{1, 3});
  CHECK(q.size() == 1);
  const auto last = q.pop_due(t0 + 1000s);
  REQUIRE(last);
  CHECK((last->id == 1 && last->what == kind::idle));
  CHECK_FALSE(q.next());
}

TEST_CASE("deadline queue: compaction drops the entries of sessions that left, once they outnumber the live") {
  deadline_queue q;
  const auto t0 = deadline_queue::clock::time_point{} + 1h;
  for (session_id id = 0; id < 5000; ++id) q.add({t0 + std::chrono::seconds(id % 97), id, kind::idle});
  const auto live = [](session_id id) { return id % 10 == 0; };  // 500 still connected
  // Below the threshold (2 x 2,000 live entries + 1,024 > 5,000) nothing is walked.
  CHECK_FALSE(q.compact(2000, live));
  CHECK(q.size() == 5000);
  REQUIRE(q.compact(500, live));
  CHECK(q.size() == 500);
  // Still a heap: due entries come out in time order, all of them live ones.
  auto previous = t0;
  std::size_t popped = 0;
  while (const auto due = q.pop_due(t0 + 1000s)) {
    CHECK(due->at >= previous);
    CHECK(live(due->id));
    previous = due->at;
    ++popped;
  }
  CHECK(popped == 500);
}
