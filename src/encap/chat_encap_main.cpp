// chat-encap: read the conversation CSV, build every frame by hand, write a pcap,
// print what each layer holds. Exit codes: 0 done, 1 output or --send failed,
// 2 bad input (CSV errors name file:line:column) or bad options.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "chat/cli.hpp"
#include "chat/encap/chat_rows.hpp"
#include "chat/encap/conversation.hpp"
#include "chat/encap/input_error.hpp"
#include "chat/encap/pcap_writer.hpp"
#include "chat/encap/printer.hpp"
#include "chat/encap/raw_sender.hpp"

namespace {

struct corrupt_request {
  chat::encap::checksum_layer layer;
  std::size_t frame;
};

// "ip:7" or "tcp:7".
bool parse_corrupt(const std::string& text, corrupt_request& out) {
  const auto colon = text.find(':');
  if (colon == std::string::npos) return false;
  const std::string layer = text.substr(0, colon);
  const std::string number = text.substr(colon + 1);
  if (layer == "ip")
    out.layer = chat::encap::checksum_layer::ip;
  else if (layer == "tcp")
    out.layer = chat::encap::checksum_layer::tcp;
  else
    return false;
  if (number.empty() || number.size() > 9 || number.find_first_not_of("0123456789") != std::string::npos) return false;
  out.frame = std::stoul(number);
  return true;
}

// --frame and --checksum-frame: 1-based, up to the number of frames the input makes (checked once it is read).
const CLI::Validator frame_number(
    [](std::string& text) -> std::string {
      std::size_t value = 0;
      if (CLI::detail::lexical_cast(text, value) && value >= 1) return {};
      return "Value " + text + " not in range 1 to the number of frames";
    },
    "UINT in [1 - number of frames]");

}  // namespace

int main(int argc, char** argv) {
  std::string input;
  std::string output;
  std::string link = "ethernet";
  std::string print_mode = "full";
  std::vector<std::size_t> print_frames;
  std::size_t checksum_frame = 0;
  std::vector<std::string> corrupt;
  bool send = false;
  std::string interface = "lo";
  int max_gap_ms = 1000;
  std::uint16_t server_port = 0;
  chat::encap::conversation_options options;

  CLI::App app{
      "chat-encap: encapsulate a chat conversation (CSV, one protocol line per row) into TCP segments, IP packets "
      "and Ethernet frames built by hand; write them as a pcap and explain each layer"};
  chat::cli::prepare(app, "chat-encap");
  app.add_option("input", input,
                 "Conversation CSV (RFC 4180) with the columns msg_id, app_protocol, src_app, dst_app, src_port, "
                 "dst_port, message, timestamp")
      ->required();
  app.add_option("-o,--output", output, "pcap file to write")->required();
  app.add_option("--linktype", link, "pcap link type: ethernet (Ethernet II frames) or raw (IP packets only)")
      ->check(CLI::IsMember({"ethernet", "raw"}))
      ->capture_default_str();
  app.add_option("--mss", options.mss, "Largest TCP payload per segment; longer messages are split")
      ->check(CLI::Range(1, 65495))
      ->capture_default_str();
  app.add_flag("--ipv6", options.ipv6, "IPv6 (::1) instead of IPv4 (127.0.0.1)");
  app.add_option("--server-port", server_port,
                 "Server port when the CSV does not tell (default: the port shared by most connections)")
      ->check(CLI::Range(1, 65535));
  app.add_option("--step-us", options.step_us, "Microseconds between frames the CSV gives no time for")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  app.add_option("--corrupt", corrupt, "Write frame N with a wrong checksum: ip:N or tcp:N (repeatable)");
  app.add_option("--print", print_mode, "full (layers + hex per frame), summary (one line per frame) or none (silent)")
      ->check(CLI::IsMember({"full", "summary", "none"}))
      ->capture_default_str();
  app.add_option("--frame", print_frames, "With --print full, explain only these frames (1-based, repeatable)")
      ->check(frame_number);
  auto* checksum_option =
      app.add_option("--checksum-frame", checksum_frame,
                     "Work this frame's TCP checksum by hand (default with --print full: the first frame with data)")
          ->check(frame_number);
  app.add_flag("--send", send, "Also inject the frames on --interface (AF_PACKET; needs root or CAP_NET_RAW)");
  app.add_option("--interface", interface, "Interface for --send")->capture_default_str();
  app.add_option("--max-gap-ms", max_gap_ms, "With --send, the longest pause between two frames")
      ->check(CLI::Range(0, 60'000))
      ->capture_default_str();

  if (const auto status = chat::cli::parse(app, argc, argv)) return *status;
  if (server_port != 0) options.server_port = server_port;

  std::vector<corrupt_request> corruptions;
  for (const auto& text : corrupt) {
    corrupt_request r{};
    if (!parse_corrupt(text, r)) {
      std::cerr << "chat-encap: --corrupt " << text << ": expected ip:N or tcp:N\n";
      return 2;
    }
    corruptions.push_back(r);
  }

  chat::encap::conversation conv;
  try {
    conv = chat::encap::build_conversation(chat::encap::load_chat_rows(input), options, input);
  } catch (const chat::encap::input_error& e) {
    std::cerr << "chat-encap: " << e.what() << "\n";
    return 2;
  }

  for (const auto& r : corruptions) {
    if (r.frame < 1 || r.frame > conv.frames.size()) {
      std::cerr << "chat-encap: --corrupt: frame " << r.frame << " does not exist (1-" << conv.frames.size() << ")\n";
      return 2;
    }
    try {
      chat::encap::corrupt_checksum(conv.frames[r.frame - 1], r.layer);
    } catch (const std::invalid_argument& e) {
      std::cerr << "chat-encap: --corrupt ip:" << r.frame << ": " << e.what() << "\n";
      return 2;
    }
  }
  for (std::size_t n : print_frames)
    if (n < 1 || n > conv.frames.size()) {
      std::cerr << "chat-encap: --frame " << n << " does not exist (1-" << conv.frames.size() << ")\n";
      return 2;
    }
  if (checksum_frame > conv.frames.size()) {
    std::cerr << "chat-encap: --checksum-frame " << checksum_frame << " does not exist (1-" << conv.frames.size()
              << ")\n";
    return 2;
  }

  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  const auto type = link == "raw" ? chat::encap::link_type::raw : chat::encap::link_type::ethernet;
  if (!out || !chat::encap::write_pcap(out, conv.frames, type) || !out.flush()) {
    std::cerr << "chat-encap: cannot write " << output << "\n";
    return 1;
  }

  if (print_mode == "full") {
    if (print_frames.empty())
      for (std::size_t n = 1; n <= conv.frames.size(); ++n) chat::encap::print_frame(std::cout, conv, n);
    for (std::size_t n : print_frames) chat::encap::print_frame(std::cout, conv, n);
  } else if (print_mode == "summary") {
    chat::encap::print_summary(std::cout, conv);
  }
  if (print_mode == "full" || checksum_option->count() > 0) {
    std::size_t n = checksum_frame;
    for (std::size_t i = 0; n == 0 && i < conv.frames.size(); ++i)
      if (!conv.frames[i].payload.empty()) n = i + 1;
    chat::encap::print_worked_checksum(std::cout, conv, n);
  }
  if (print_mode != "none")
    std::cout << "chat-encap: wrote " << conv.frames.size() << " frames in " << conv.connections.size()
              << " connections to " << output << "\n";

  if (send) {
    const std::string error = chat::encap::send_frames(conv.frames, interface, max_gap_ms);
    if (!error.empty()) {
      std::cerr << "chat-encap: " << error << "\n";
      return 1;
    }
    std::cout << "chat-encap: sent " << conv.frames.size() << " frames on " << interface << "\n";
  }
  return 0;
}
