// What chat-encap does once its command line is parsed: read the CSV, build the
// conversation, apply --corrupt, write the pcap, print, and --send. chat_encap_main.cpp
// only turns flags into run_options; everything here is testable without a process.
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "encap/conversation.hpp"
#include "encap/frame.hpp"
#include "encap/pcap_writer.hpp"

namespace chat::encap {

// --corrupt ip:N or tcp:N: write frame N (1-based) with a wrong checksum in that layer.
struct corrupt_request {
  checksum_layer layer;
  std::size_t frame;
  bool operator==(const corrupt_request&) const = default;
};

// "ip:7" or "tcp:7" (N of 1 to 9 digits); nullopt for anything else.
std::optional<corrupt_request> parse_corrupt(std::string_view text);

enum class print_mode { full, summary, none };

struct run_options {
  std::string input;   // the conversation CSV
  std::string output;  // the pcap to write
  link_type link = link_type::ethernet;
  conversation_options conversation;
  std::vector<corrupt_request> corruptions;
  print_mode print = print_mode::full;
  std::vector<std::size_t> print_frames;      // with print_mode::full: only these (1-based); empty: all
  std::optional<std::size_t> checksum_frame;  // set: work this frame's checksum (0: the first with data)
  bool send = false;                          // also inject the frames on `interface`
  std::string interface = "lo";
  int max_gap_ms = 1000;
};

// Why a frame number the options name is out of range for a conversation of `frames`
// frames ("--frame 9 does not exist (1-8)"); empty when all are in range.
std::string check_frame_numbers(const run_options& options, std::size_t frames);

// The frame whose checksum is worked: `asked` (1-based), or 0 for the first frame that
// carries data; 0 when there is none.
std::size_t checksum_frame_of(const conversation& conv, std::size_t asked);

// Does everything; progress and the explanations go to `out`, errors (each prefixed
// "chat-encap: ") to `err`. Returns the exit status: 0 done, 1 the pcap could not be
// written or --send failed, 2 bad input (CSV errors name file:line:column) or a frame
// number out of range.
int run(const run_options& options, std::ostream& out, std::ostream& err);

}  // namespace chat::encap
