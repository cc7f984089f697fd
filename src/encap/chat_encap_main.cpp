// chat-encap: read the conversation CSV, build every frame by hand, write a pcap,
// print what each layer holds (encap/run.hpp). This file only parses the flags.
// Exit codes: 0 done, 1 output or --send failed, 2 bad input (CSV errors name
// file:line:column) or bad options.
#include <CLI/CLI.hpp>
#include <iostream>

#include "chat/cli.hpp"
#include "encap/run.hpp"

namespace {

// --frame and --checksum-frame: 1-based, up to the number of frames the input makes (checked once it is read).
const CLI::Validator frame_number =
    chat::cli::number_check<std::size_t>([](std::size_t value) { return value >= 1; },
                                         "in range 1 to the number of frames", "UINT in [1 - number of frames]");

}  // namespace

int main(int argc, char** argv) {
  chat::encap::run_options options;
  std::string link = "ethernet";
  std::string print_mode = "full";
  std::size_t checksum_frame = 0;
  std::vector<std::string> corrupt;
  std::uint16_t server_port = 0;

  CLI::App app{
      "chat-encap: encapsulate a chat conversation (CSV, one protocol line per row) into TCP segments, IP packets "
      "and Ethernet frames built by hand; write them as a pcap and explain each layer"};
  chat::cli::prepare(app, "chat-encap");
  app.add_option("input", options.input,
                 "Conversation CSV (RFC 4180) with the columns msg_id, app_protocol, src_app, dst_app, src_port, "
                 "dst_port, message, timestamp")
      ->required();
  app.add_option("-o,--output", options.output, "pcap file to write")->required();
  app.add_option("--linktype", link, "pcap link type: ethernet (Ethernet II frames) or raw (IP packets only)")
      ->check(CLI::IsMember({"ethernet", "raw"}))
      ->capture_default_str();
  app.add_option("--mss", options.conversation.mss, "Largest TCP payload per segment; longer messages are split")
      ->transform(chat::cli::range(1, 65495))
      ->capture_default_str();
  app.add_flag("--ipv6", options.conversation.ipv6, "IPv6 (::1) instead of IPv4 (127.0.0.1)");
  app.add_option("--server-port", server_port,
                 "Server port when the CSV does not tell (default: the port shared by most connections)")
      ->transform(chat::cli::range(1, 65535));
  app.add_option("--step-us", options.conversation.step_us, "Microseconds between frames the CSV gives no time for")
      ->transform(chat::cli::range(1, 1'000'000))
      ->capture_default_str();
  app.add_option("--corrupt", corrupt, "Write frame N with a wrong checksum: ip:N or tcp:N (repeatable)");
  app.add_option("--print", print_mode, "full (layers + hex per frame), summary (one line per frame) or none (silent)")
      ->check(CLI::IsMember({"full", "summary", "none"}))
      ->capture_default_str();
  app.add_option("--frame", options.print_frames, "With --print full, explain only these frames (1-based, repeatable)")
      ->transform(frame_number);
  auto* checksum_option =
      app.add_option("--checksum-frame", checksum_frame,
                     "Work this frame's TCP checksum by hand (default with --print full: the first frame with data)")
          ->transform(frame_number);
  app.add_flag("--send", options.send, "Also inject the frames on --interface (AF_PACKET; needs root or CAP_NET_RAW)");
  app.add_option("--interface", options.interface, "Interface for --send")->capture_default_str();
  app.add_option("--max-gap-ms", options.max_gap_ms, "With --send, the longest pause between two frames")
      ->transform(chat::cli::range(0, 60'000))
      ->capture_default_str();

  if (const auto status = chat::cli::parse(app, argc, argv)) return *status;
  if (server_port != 0) options.conversation.server_port = server_port;
  options.link = link == "raw" ? chat::encap::link_type::raw : chat::encap::link_type::ethernet;
  options.print = print_mode == "full"      ? chat::encap::print_mode::full
                  : print_mode == "summary" ? chat::encap::print_mode::summary
                                            : chat::encap::print_mode::none;
  if (checksum_option->count() > 0) options.checksum_frame = checksum_frame;
  for (const auto& text : corrupt) {
    const auto request = chat::encap::parse_corrupt(text);
    if (!request) {
      std::cerr << "chat-encap: --corrupt " << text << ": expected ip:N or tcp:N\n";
      return 2;
    }
    options.corruptions.push_back(*request);
  }
  return chat::encap::run(options, std::cout, std::cerr);
}
