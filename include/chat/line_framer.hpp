// Splits a byte stream into protocol lines: LF ends a line, a CR right before it
// is dropped, and a line longer than the limit is reported once and discarded up
// to its LF without ever being buffered whole. Pure: bytes in, events out.
//
// The limit counts every byte before the terminator, which is LF or CR LF: further CRs
// before the LF are bytes of the line (the parser then drops them), so with a limit of
// 4,096, 4,095 bytes + CR CR LF is a line and 4,096 bytes + CR CR LF is too long
// (docs/protocol.md, Framing). That keeps the bound a count of bytes received
// that a client can check by itself, and the framer's memory within limit + 1 bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace chat {

class line_framer {
 public:
  explicit line_framer(std::size_t max_line) : max_line_(max_line) {}

  // Feeds bytes; calls on_line(std::string_view) for each complete line and
  // on_too_long() once per over-long line, as soon as it is known to be too long.
  // A callback returning false stops consuming: the rest is kept for the next call
  // and the return value is the number of bytes consumed.
  template <typename OnLine, typename OnTooLong>
  std::size_t feed(std::string_view bytes, OnLine&& on_line, OnTooLong&& on_too_long) {
    std::size_t used = 0;
    while (used < bytes.size()) {
      const auto rest = bytes.substr(used);
      const auto lf = rest.find('\n');
      const auto chunk = lf == std::string_view::npos ? rest : rest.substr(0, lf);
      used += chunk.size() + (lf == std::string_view::npos ? 0 : 1);
      if (discarding_) {
        if (lf != std::string_view::npos) discarding_ = false;
        continue;
      }
      // A CR may be the last byte of a full-length line, so allow one byte of slack until the LF.
      if (partial_.size() + chunk.size() > max_line_ + 1) {
        partial_.clear();
        discarding_ = lf == std::string_view::npos;
        if (!on_too_long()) return used;
        continue;
      }
      if (lf == std::string_view::npos) {
        partial_.append(chunk);
        continue;
      }
      std::string_view line = chunk;
      if (!partial_.empty()) {
        partial_.append(chunk);
        line = partial_;
      }
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      bool go_on = true;
      if (line.size() > max_line_) {
        go_on = on_too_long();
      } else {
        go_on = on_line(line);
      }
      partial_.clear();
      if (!go_on) return used;
    }
    return used;
  }

  // Bytes of an unfinished line held between calls.
  std::size_t buffered() const { return partial_.size(); }
  void release_memory() {
    if (partial_.empty()) std::string().swap(partial_);
  }

 private:
  std::size_t max_line_;
  std::string partial_;
  bool discarding_ = false;
};

}  // namespace chat
