#include "encap/run.hpp"

#include <fstream>
#include <stdexcept>

#include "encap/chat_rows.hpp"
#include "encap/input_error.hpp"
#include "encap/printer.hpp"
#include "encap/raw_sender.hpp"

namespace chat::encap {

std::optional<corrupt_request> parse_corrupt(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto layer = text.substr(0, colon);
  const auto number = text.substr(colon + 1);
  corrupt_request request{};
  if (layer == "ip") {
    request.layer = checksum_layer::ip;
  } else if (layer == "tcp") {
    request.layer = checksum_layer::tcp;
  } else {
    return std::nullopt;
  }
  if (number.empty() || number.size() > 9 || number.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  request.frame = std::stoul(std::string(number));
  return request;
}

std::string check_frame_numbers(const run_options& options, std::size_t frames) {
  const auto range = " does not exist (1-" + std::to_string(frames) + ")";
  for (const auto& r : options.corruptions) {
    if (r.frame < 1 || r.frame > frames) return "--corrupt: frame " + std::to_string(r.frame) + range;
  }
  for (const std::size_t n : options.print_frames) {
    if (n < 1 || n > frames) return "--frame " + std::to_string(n) + range;
  }
  if (options.checksum_frame && *options.checksum_frame > frames) {
    return "--checksum-frame " + std::to_string(*options.checksum_frame) + range;
  }
  return {};
}

std::size_t checksum_frame_of(const conversation& conv, std::size_t asked) {
  if (asked != 0) return asked;
  for (std::size_t i = 0; i < conv.frames.size(); ++i) {
    if (!conv.frames[i].payload.empty()) return i + 1;
  }
  return 0;
}

int run(const run_options& options, std::ostream& out, std::ostream& err) {
  conversation conv;
  try {
    conv = build_conversation(load_chat_rows(options.input), options.conversation, options.input);
  } catch (const input_error& e) {
    err << "chat-encap: " << e.what() << "\n";
    return 2;
  }

  if (const auto problem = check_frame_numbers(options, conv.frames.size()); !problem.empty()) {
    err << "chat-encap: " << problem << "\n";
    return 2;
  }
  for (const auto& r : options.corruptions) {
    try {
      corrupt_checksum(conv.frames[r.frame - 1], r.layer);
    } catch (const std::invalid_argument& e) {  // an IPv6 header has no checksum
      err << "chat-encap: --corrupt ip:" << r.frame << ": " << e.what() << "\n";
      return 2;
    }
  }

  std::ofstream file(options.output, std::ios::binary | std::ios::trunc);
  if (!file || !write_pcap(file, conv.frames, options.link) || !file.flush()) {
    err << "chat-encap: cannot write " << options.output << "\n";
    return 1;
  }

  if (options.print == print_mode::full) {
    if (options.print_frames.empty()) {
      for (std::size_t n = 1; n <= conv.frames.size(); ++n) print_frame(out, conv, n);
    }
    for (const std::size_t n : options.print_frames) print_frame(out, conv, n);
  } else if (options.print == print_mode::summary) {
    print_summary(out, conv);
  }
  if (options.print == print_mode::full || options.checksum_frame) {
    print_worked_checksum(out, conv, checksum_frame_of(conv, options.checksum_frame.value_or(0)));
  }
  if (options.print != print_mode::none) {
    out << "chat-encap: wrote " << conv.frames.size() << " frames in " << conv.connections.size() << " connections to "
        << options.output << "\n";
  }

  if (options.send) {
    if (const auto error = send_frames(conv.frames, options.interface, options.max_gap_ms); !error.empty()) {
      err << "chat-encap: " << error << "\n";
      return 1;
    }
    out << "chat-encap: sent " << conv.frames.size() << " frames on " << options.interface << "\n";
  }
  return 0;
}

}  // namespace chat::encap
