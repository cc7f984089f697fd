// chat::line_framer against a reference splitter. The framer sees the stream in
// random chunks and its callbacks now and then ask it to stop (as the session's do
// while it awaits the router), so the partial-line, discard and resume paths all run;
// whatever the chunking, the events must be those of the one-pass reference below.
#include <cstdint>
#include <string>
#include <vector>

#include "chat/line_framer.hpp"
#include "chat/protocol.hpp"
#include "checks.hpp"

namespace chat::fuzz {
namespace {

struct event {
  bool too_long;
  std::string line;
  bool operator==(const event&) const = default;
};

// The framing rule (docs/protocol.md, Framing) in one pass over the whole stream: LF ends a line, one CR
// before it is dropped, a line over max_line is one too-long event. An unfinished last
// line is reported only once it is already too long (the framer says so as soon as it knows).
std::vector<event> reference_split(std::string_view s, std::size_t max_line) {
  std::vector<event> out;
  for (;;) {
    const auto lf = s.find('\n');
    if (lf == std::string_view::npos) {
      // Unfinished: a CR could still turn out to be half of a CRLF, hence the +1.
      if (s.size() > max_line + 1) out.push_back({true, {}});
      return out;
    }
    std::string_view line = s.substr(0, lf);
    s.remove_prefix(lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > max_line) {
      out.push_back({true, {}});
    } else {
      out.push_back({false, std::string(line)});
    }
  }
}

// Bytes left buffered at the end: the unfinished line, unless it is already being discarded.
std::size_t reference_buffered(std::string_view s, std::size_t max_line) {
  const auto lf = s.rfind('\n');
  const auto tail = lf == std::string_view::npos ? s.size() : s.size() - lf - 1;
  return tail > max_line + 1 ? 0 : tail;
}

// splitmix64: small, seedable and the same on every compiler, so a crash input replays exactly.
struct rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
};

}  // namespace

void check_line_framer(std::string_view data) {
  // Header: 1 byte for max_line (mostly small, so that long lines are cheap to reach;
  // sometimes the real default), 4 bytes of chunking seed. Missing bytes count as zero.
  unsigned char header[5] = {};
  for (std::size_t i = 0; i < 5 && i < data.size(); ++i) header[i] = static_cast<unsigned char>(data[i]);
  const std::string_view stream = data.size() > 5 ? data.substr(5) : std::string_view{};
  const std::size_t max_line = header[0] >= 0xF0 ? protocol::default_max_line : header[0] % 80;
  rng random{std::uint64_t{header[1]} | std::uint64_t{header[2]} << 8 | std::uint64_t{header[3]} << 16 |
             std::uint64_t{header[4]} << 24};

  line_framer framer(max_line);
  std::vector<event> events;
  bool stopped = false;  // a callback asked to stop during the current feed
  auto on_line = [&](std::string_view line) {
    FUZZ_CHECK(!stopped);  // nothing may be delivered after a callback said stop
    FUZZ_CHECK(line.find('\n') == std::string_view::npos);
    FUZZ_CHECK(line.size() <= max_line);
    events.push_back({false, std::string(line)});
    stopped = random.below(4) == 0;
    return !stopped;
  };
  auto on_too_long = [&] {
    FUZZ_CHECK(!stopped);
    events.push_back({true, {}});
    stopped = random.below(4) == 0;
    return !stopped;
  };

  std::string_view rest = stream;
  while (!rest.empty()) {
    std::size_t size = 0;
    switch (random.below(4)) {
      case 0:
        size = 1;
        break;
      case 1:
        size = 1 + random.below(16);
        break;
      case 2:
        size = 1 + random.below(max_line + 3);
        break;
      default:
        size = rest.size();
        break;
    }
    std::string_view chunk = rest.substr(0, size);
    rest.remove_prefix(chunk.size());
    // Like the session: what a stopped feed did not consume is offered again first.
    while (!chunk.empty()) {
      // A copy, so that ASan sees any read past the chunk or any view kept after the call.
      const std::string bytes(chunk);
      const std::size_t events_before = events.size();
      stopped = false;
      const std::size_t used = framer.feed(bytes, on_line, on_too_long);
      FUZZ_CHECK(used <= bytes.size());
      FUZZ_CHECK(used > 0);  // else the caller would spin
      FUZZ_CHECK(stopped || used == bytes.size());
      FUZZ_CHECK(!stopped || events.size() > events_before);
      FUZZ_CHECK(framer.buffered() <= max_line + 1);
      chunk.remove_prefix(used);
      if (random.below(8) == 0) framer.release_memory();
    }
  }

  FUZZ_CHECK(events == reference_split(stream, max_line));
  FUZZ_CHECK(framer.buffered() == reference_buffered(stream, max_line));
}

}  // namespace chat::fuzz
