#include <charconv>
#include <string>
#include <string_view>

#include "bench/protocol_adapter.hpp"
#include "chat/protocol.hpp"

namespace chat::bench {
namespace {

class nats_adapter final : public protocol_adapter {
 public:
  explicit nats_adapter(adapter_host& host) : host_(host) {}

  // verbose off: no +OK per PUB. The PING's PONG says the SUB is in place.
  std::string hello(const client& c) const override {
    return "CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"" + c.name + "\"}\r\nSUB inbox." + c.name +
           " 1\r\nPING\r\n";
  }

  void frame(client& c, std::size_t payload) const override {
    c.prefix = "PUB inbox." + c.partner->name + " " + c.name + " " + std::to_string(payload) + "\r\n";
    c.suffix = "\r\n";
  }

  std::string pair_request(const client&) const override { return {}; }

  std::size_t process(client& c, char* data, std::size_t n, std::uint64_t now) override {
    std::size_t pos = 0;
    while (pos < n) {
      if (c.nats_need) {
        if (n - pos < c.nats_need + 2) break;
        host_.on_message(c, c.nats_from_partner, std::string_view(data + pos, c.nats_need), now);
        pos += c.nats_need + 2;
        c.nats_need = 0;
        continue;
      }
      std::string_view line;
      if (!next_line(data, n, pos, line)) break;
      const auto [head, rest] = protocol::split_word(line);
      if (head == "MSG") {
        if (!on_msg_header(c, line, rest)) return n;
        continue;
      }
      if (head == "PING") {
        host_.send_raw(c, "PONG\r\n");
        continue;
      }
      if (head == "PONG") {
        if (c.st == client::state::registering) {
          // No pairing step in NATS: subscribed means ready.
          c.st = client::state::paired;
          c.owner.registered.add();
          c.owner.paired.add();
        }
        continue;
      }
      if (head == "INFO" || head == "+OK") continue;
      host_.fail(c, "unexpected line from NATS: " + std::string(line.substr(0, 200)), true);
    }
    return pos;
  }

 private:
  // MSG <subject> <sid> [reply-to] <#bytes>; our reply-to is the sender's name. Sets up the
  // payload to read next; false (the connection is given up) on a malformed header.
  bool on_msg_header(client& c, std::string_view line, std::string_view rest) {
    std::string_view words[4];
    std::size_t count = 0;
    auto r = rest;
    while (!r.empty() && count < 4) {
      auto [w, more] = protocol::split_word(r);
      words[count++] = w;
      r = more;
    }
    std::size_t size = 0;
    const auto last = words[count ? count - 1 : 0];
    if (count < 3 || std::from_chars(last.data(), last.data() + last.size(), size).ec != std::errc{} || size == 0 ||
        size + 2 > c.cap) {
      host_.fail(c, "bad MSG header from NATS: " + std::string(line.substr(0, 200)), true);
      c.st = client::state::closed;
      return false;
    }
    c.nats_need = size;
    c.nats_from_partner = count == 4 && c.partner && words[2] == c.partner->name;
    return true;
  }

  adapter_host& host_;
};

}  // namespace

std::unique_ptr<protocol_adapter> make_nats_adapter(adapter_host& host) {
  return std::make_unique<nats_adapter>(host);
}

}  // namespace chat::bench
