// What differs between the protocols chat-bench speaks: the greeting a fresh connection
// sends, how a payload is framed for the partner, whether pairs need a CONNECT step, and
// how the server's bytes parse. An adapter holds no per-connection state of its own (that
// is in `client`) and runs on the client's worker thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "bench/load_state.hpp"

namespace chat::bench {

// What an adapter asks of the engine while it parses.
class adapter_host {
 public:
  // A payload arrived for c; from_partner says whether the server named c's partner as its sender.
  virtual void on_message(client& c, bool from_partner, std::string_view text, std::uint64_t now) = 0;
  // Counts a protocol error on c and records it (fatal: the run fails).
  virtual void fail(client& c, std::string what, bool fatal) = 0;
  // Queues bytes on c's connection and writes them out.
  virtual void send_raw(client& c, std::string_view bytes) = 0;
  virtual phase current_phase() const = 0;

 protected:
  ~adapter_host() = default;
};

class protocol_adapter {
 public:
  virtual ~protocol_adapter() = default;
  // The bytes a connection sends as soon as it is connected (register, subscribe).
  virtual std::string hello(const client& c) const = 0;
  // Sets c.prefix and c.suffix, what surrounds a payload of `payload` bytes from c to its partner.
  virtual void frame(client& c, std::size_t payload) const = 0;
  // The request that pairs a registered initiator with its partner; empty when the protocol
  // needs none (the connection is then paired once its greeting is answered).
  virtual std::string pair_request(const client& c) const = 0;
  // Handles every complete line or message in data[0, n) and returns the bytes it used; the
  // rest is kept for the next read.
  virtual std::size_t process(client& c, char* data, std::size_t n, std::uint64_t now) = 0;
};

// The next LF-terminated line in data[pos, n) without its LF (and a CR before it), moving pos past
// it; false, with pos unchanged, when no whole line is left.
inline bool next_line(const char* data, std::size_t n, std::size_t& pos, std::string_view& line) {
  const auto* lf = static_cast<const char*>(std::memchr(data + pos, '\n', n - pos));
  if (!lf) return false;
  line = std::string_view(data + pos, static_cast<std::size_t>(lf - (data + pos)));
  pos = static_cast<std::size_t>(lf - data) + 1;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return true;
}

// CHAT/1: REGISTER, CONNECT, MSG (protocol.hpp).
std::unique_ptr<protocol_adapter> make_chat_adapter(adapter_host& host);
// NATS: each client SUBs inbox.<name> and PUBs to its partner's inbox with its own name as reply-to.
std::unique_ptr<protocol_adapter> make_nats_adapter(adapter_host& host);

}  // namespace chat::bench
