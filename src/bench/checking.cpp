#include "bench/engine.hpp"

namespace chat::bench {

void engine::on_message(client& c, bool from_partner, std::string_view text, std::uint64_t now) {
  auto& w = c.owner;
  if (!c.partner) {
    fail(c, "a message on a connection that has no partner", false);
    return;
  }
  const auto d = s_.codec.decode(text);
  if (!from_partner || !d) {
    c.checker.on_corrupted();
    return;
  }
  client& p = *c.partner;
  const auto v = c.checker.on_receive(d->seq, p.sent);
  if (v == sequence_checker::verdict::duplicate || v == sequence_checker::verdict::corrupted) return;
  w.received.add();
  ++p.delivered;
  if (s_.get_phase() == phase::measure) {
    const auto latency = now > d->timestamp_ns ? now - d->timestamp_ns : 0;
    w.latency.record(latency);
    if (w.slice) w.slice->record(latency);
    w.measured.add();
  }
  if (cfg().window) mark_dirty(p);
}

// Adds up what every worker counted and what every direction's checker found.
void engine::tally(bench_result& r) const {
  r.protocol_errors += s_.unattributed.load();
  for (auto& w : workers_) {
    r.sent += w->sent.get();
    r.received += w->received.get();
    r.measured_received += w->measured.get();
    r.protocol_errors += w->protocol_errors.get();
    r.latency.merge(w->latency);
    for (auto& c : w->clients) {
      r.lost += c->checker.lost();
      r.duplicated += c->checker.duplicated();
      r.reordered += c->checker.reordered();
      r.corrupted += c->checker.corrupted();
      if (r.per_server.empty()) continue;
      auto& per = r.per_server[c->server];
      per.connections += c->buf != nullptr;  // its buffer is allocated once connected
      per.sent += c->sent;
      per.received += c->checker.received();
    }
  }
}

}  // namespace chat::bench
