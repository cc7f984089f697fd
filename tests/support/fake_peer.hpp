// A peer for tests that drive the router directly (tests/unit/router_test.cpp,
// tests/cluster/link_test.cpp): it records every call the router makes, in order, as text.
// Needs src/ on the include path (the router's internals).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/peer.hpp"

namespace chat::testing {

using namespace chat::server;

class fake_peer final : public peer, public msg_sink, public std::enable_shared_from_this<fake_peer> {
 public:
  explicit fake_peer(session_id id) : id_(id) {}

  outbox::push_result deliver(std::string_view line) override {
    if (cut_next) return outbox::push_result::slow_consumer;
    events.push_back("line " + std::string(line.substr(0, line.size() - 1)));
    return outbox::push_result::queued;
  }
  void deliver_last(std::string_view line) override { events.push_back("last " + std::string(line)); }
  void stop_reading() override { events.push_back("stop"); }
  void abort() override { events.push_back("abort"); }
  void abort_after(std::chrono::milliseconds) override { events.push_back("abort_after"); }
  void request_done() override { ++done; }
  void enter_chat(chat_id chat, std::string self_name, std::shared_ptr<msg_sink> partner) override {
    events.push_back("enter " + std::to_string(chat) + " " + self_name + " with " + std::to_string(partner->sink_id()));
  }
  void leave_chat() override { events.push_back("leave"); }
  std::shared_ptr<msg_sink> sink() override { return shared_from_this(); }
  clock::time_point connected_at() const override { return clock::now(); }
  clock::time_point last_activity() const override { return clock::now(); }
  std::size_t queued_bytes() const override { return 0; }
  std::string describe() const override { return "fake " + std::to_string(id_); }
  result deliver_msg(chat_id, std::string_view, std::string_view) override { return result::delivered; }
  session_id sink_id() const override { return id_; }

  std::vector<std::string> take_events() { return std::exchange(events, {}); }

  // The lines queued with deliver(), without their LF, in order (the other events left out).
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const auto& e : events) {
      if (e.starts_with("line ")) out.push_back(e.substr(5));
    }
    return out;
  }

  std::vector<std::string> events;
  int done = 0;
  bool cut_next = false;  // deliver() answers slow_consumer and records nothing

 private:
  session_id id_;
};

}  // namespace chat::testing
