#include <string>
#include <string_view>

#include "bench/protocol_adapter.hpp"
#include "chat/protocol.hpp"

namespace chat::bench {
namespace {

class chat_adapter final : public protocol_adapter {
 public:
  explicit chat_adapter(adapter_host& host) : host_(host) {}

  std::string hello(const client& c) const override { return "REGISTER " + c.name + "\n"; }

  void frame(client& c, std::size_t) const override {
    c.prefix = "MSG ";
    c.suffix = "\n";
  }

  std::string pair_request(const client& c) const override { return "CONNECT " + c.partner->name + "\n"; }

  std::size_t process(client& c, char* data, std::size_t n, std::uint64_t now) override {
    std::size_t pos = 0;
    std::string_view line;
    while (pos < n && next_line(data, n, pos, line)) on_line(c, line, now);
    return pos;
  }

 private:
  void on_line(client& c, std::string_view line, std::uint64_t now) {
    const auto [head, rest] = protocol::split_server_line(line);
    if (head == "MSG") {
      const auto [sender, text] = protocol::split_word(rest);
      host_.on_message(c, c.partner && sender == c.partner->name, text, now);
      return;
    }
    if (head == "HELLO" || head == "PONG") return;
    const bool closing = host_.current_phase() >= phase::closing;
    if (head == "OK") {
      const auto [what, arg] = protocol::split_word(rest);
      if (what == "REGISTERED" && c.st == client::state::registering) {
        c.st = client::state::registered;
        c.owner.registered.add();
        return;
      }
      if (what == "CONNECTED" && c.initiator && c.st == client::state::registered) {
        c.st = client::state::paired;
        c.owner.paired.add();
        return;
      }
      if (what == "BYE" && closing) return;
    }
    if (head == "CONNECTED" && !c.initiator && c.st == client::state::registered && c.partner &&
        rest == c.partner->name) {
      c.st = client::state::paired;
      c.owner.paired.add();
      return;
    }
    if (head == "BYE" && closing) return;
    host_.fail(c, "unexpected line from the server: " + std::string(line.substr(0, 200)), true);
  }

  adapter_host& host_;
};

}  // namespace

std::unique_ptr<protocol_adapter> make_chat_adapter(adapter_host& host) {
  return std::make_unique<chat_adapter>(host);
}

}  // namespace chat::bench
