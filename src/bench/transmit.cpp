#include <cstring>
#include <string>

#include "bench/engine.hpp"

namespace chat::bench {

void engine::append_message(client& c, std::uint64_t timestamp) {
  const auto size = s_.codec.size();
  const auto old = c.out.size();
  c.out.resize(old + c.prefix.size() + size + c.suffix.size());
  char* p = c.out.data() + old;
  std::memcpy(p, c.prefix.data(), c.prefix.size());
  s_.codec.encode(p + c.prefix.size(), c.sent, timestamp);
  std::memcpy(p + c.prefix.size() + size, c.suffix.data(), c.suffix.size());
  if (hooks_.counting_message) hooks_.counting_message();
  ++c.sent;
  c.owner.sent.add();
}

void engine::top_up(client& c) {
  if (!s_.sending() || c.st != client::state::paired) return;
  if (c.sent - c.delivered >= cfg().window) return;
  const auto now = now_ns();
  while (c.sent - c.delivered < cfg().window) append_message(c, now);
}

void engine::mark_dirty(client& c) {
  if (c.dirty) return;
  c.dirty = true;
  c.owner.dirty.push_back(&c);
}

void engine::flush_dirty(worker& w) {
  // Index loop: flushing never adds to the list, but keep it safe anyway.
  for (std::size_t i = 0; i < w.dirty.size(); ++i) {
    auto* c = w.dirty[i];
    c->dirty = false;
    if (cfg().window) top_up(*c);
    flush(*c);
  }
  w.dirty.clear();
}

void engine::send_raw(client& c, std::string_view bytes) {
  c.out.append(bytes);
  flush(c);
}

// One write per burst: everything appended since the last write goes out in one
// send(); only what the kernel does not take waits for an async_write.
void engine::flush(client& c) {
  if (c.write_pending || c.out.empty() || c.st == client::state::closed) return;
  c.writing.swap(c.out);
  asio::error_code ec;
  // TLS: no synchronous write, which on a non-blocking socket could cut a record; async_write takes it all.
  const auto n = c.tls ? (ec = asio::error::would_block, 0) : c.sock.write_some(asio::buffer(c.writing), ec);
  if (!ec && n == c.writing.size()) {
    c.writing.clear();
    return;
  }
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
    if (s_.get_phase() < phase::closing) fail(c, "write failed: " + ec.message());
    c.writing.clear();
    return;
  }
  c.writing.erase(0, ec ? 0 : n);
  c.write_pending = true;
  auto written = [this, &c](const asio::error_code& wec, std::size_t) {
    c.write_pending = false;
    c.writing.clear();
    if (wec) {
      if (s_.get_phase() < phase::closing && c.st != client::state::closed) fail(c, "write failed: " + wec.message());
      return;
    }
    if (c.out.size() > max_backlog) {
      fail(c, "more than 8 MiB waiting to be sent: the server is not reading");
      return;
    }
    flush(c);
  };
  if (c.tls) {
    asio::async_write(*c.tls, asio::buffer(c.writing), std::move(written));
  } else {
    asio::async_write(c.sock, asio::buffer(c.writing), std::move(written));
  }
}

}  // namespace chat::bench
