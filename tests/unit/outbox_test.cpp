#include "server/outbox.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace chat;
using namespace chat::server;
using namespace std::chrono_literals;
using push_result = outbox::push_result;

namespace {

std::string bytes_of(const outbox::batch& b) {
  std::string out;
  for (const chunk* c = b.head; c != nullptr; c = c->next) out.append(c->data, c->size);
  return out;
}

// Takes and "writes" everything queued; returns the bytes.
std::string drain(outbox& box) {
  outbox::batch b;
  std::string out;
  while (box.take(b)) {
    out += bytes_of(b);
    box.written(b);
  }
  return out;
}

}  // namespace

TEST_CASE("outbox: the first push starts a writer, later ones join its batch, an empty queue goes idle") {
  outbox box(output_limits{});
  CHECK(box.push("OK REGISTERED Noy\n") == push_result::queued_start);
  CHECK(box.push("PONG\n") == push_result::queued);
  CHECK(box.queued_bytes() == 23);
  CHECK(drain(box) == "OK REGISTERED Noy\nPONG\n");
  CHECK(box.queued_bytes() == 0);
  CHECK(box.push("PONG again\n") == push_result::queued_start);
  CHECK(drain(box) == "PONG again\n");
}

TEST_CASE("outbox: lines longer than a chunk span chunks and come out whole") {
  outbox box(output_limits{});
  const std::string big(3 * chunk::capacity + 17, 'x');
  CHECK(box.push(big + "\n") == push_result::queued_start);
  CHECK(box.push("after\n") == push_result::queued);
  CHECK(drain(box) == big + "\nafter\n");
}

TEST_CASE("outbox: MSG lines are formatted in and accepted only for the chat it was told") {
  outbox box(output_limits{});
  CHECK(box.push_msg(7, "Noy", "hi") == push_result::not_in_chat);  // no chat yet
  box.accept_chat(7);
  CHECK(box.push_msg(6, "Old", "stale") == push_result::not_in_chat);
  CHECK(box.push_msg(7, "Noy", "hello  there ") == push_result::queued_start);
  box.refuse_chats();
  CHECK(box.push_msg(7, "Noy", "late") == push_result::not_in_chat);
  CHECK(drain(box) == "MSG Noy hello  there \n");
}

TEST_CASE("outbox: past the hard limit the client is cut once, and every later push is refused") {
  outbox box(output_limits{100, 0, 0ms});
  CHECK(box.push(std::string(99, 'a') + "\n") == push_result::queued_start);  // exactly 100 bytes
  CHECK(box.push("b\n") == push_result::slow_consumer);
  CHECK(box.push("c\n") == push_result::ended);
  box.accept_chat(1);
  CHECK(box.push_msg(1, "Noy", "d") == push_result::ended);
  CHECK(drain(box).size() == 100);  // what was queued before the cut still drains
}

TEST_CASE("outbox: bytes being written count against the limit until written") {
  outbox box(output_limits{100, 0, 0ms});
  CHECK(box.push(std::string(59, 'a') + "\n") == push_result::queued_start);
  outbox::batch b;
  REQUIRE(box.take(b));
  CHECK(box.push(std::string(49, 'b') + "\n") == push_result::slow_consumer);  // 60 in flight + 50
  box.written(b);
}

TEST_CASE("outbox: the last line is queued past the limit and ends the queue") {
  outbox box(output_limits{10, 0, 0ms});
  CHECK(box.push("0123456789") == push_result::queued_start);
  CHECK(box.push_last("BYE SHUTDOWN\n") == push_result::queued);
  CHECK(box.push("more\n") == push_result::ended);
  outbox::batch b;
  REQUIRE(box.take(b));
  CHECK(b.last);
  CHECK(bytes_of(b) == "0123456789BYE SHUTDOWN\n");
  box.written(b);
}

TEST_CASE("outbox: an empty last line still reaches the writer") {
  outbox box(output_limits{});
  CHECK(box.push_last("") == push_result::queued_start);
  outbox::batch b;
  REQUIRE(box.take(b));
  CHECK(b.last);
  CHECK(b.bytes == 0);
  box.written(b);
  CHECK_FALSE(box.take(b));
}

TEST_CASE("outbox: the soft limit cuts a client that stays above it for its duration") {
  outbox box(output_limits{1 << 20, 10, 0ms});
  // soft_duration 0: above the soft limit is as good as above the hard one.
  CHECK(box.push("0123456789") == push_result::queued_start);
  CHECK(box.push("x") == push_result::slow_consumer);
}

TEST_CASE("outbox: abandon drops what is queued and refuses the rest") {
  outbox box(output_limits{});
  CHECK(box.push("one\n") == push_result::queued_start);
  box.abandon();
  CHECK(box.queued_bytes() == 0);
  CHECK(box.push("two\n") == push_result::ended);
}
