// What every benchmark message carries, and the receiver's delivery check.
//
// A payload of B bytes (B >= min_payload) is printable ASCII without spaces:
//   [0,16) sequence number, hex  [16,32) send timestamp in ns, hex
//   [32,B-16) a fixed filler     [B-16,B) a check word mixing the two numbers, hex
// A receiver that decodes it knows which message it is, when it was (meant to
// be) sent, and whether any byte changed on the way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace chat::bench {

inline constexpr std::size_t min_payload = 48;
inline constexpr std::size_t max_payload = 3900;  // under the server's default 4096-byte line with "MSG <name> "

class payload_codec {
 public:
  explicit payload_codec(std::size_t size);

  std::size_t size() const { return filler_.size() + 48; }
  // Writes size() bytes at out.
  void encode(char* out, std::uint64_t seq, std::uint64_t timestamp_ns) const;

  struct decoded {
    std::uint64_t seq;
    std::uint64_t timestamp_ns;
  };
  // Nothing if the length, a digit, the filler or the check word is wrong.
  std::optional<decoded> decode(std::string_view bytes) const;

 private:
  std::string filler_;
};

// Per direction of a pair: were messages 0, 1, 2, ... received exactly once and
// in order? A message that arrives after a later one is "reordered" (not lost);
// one whose number was already seen is "duplicated"; a number never sent, or a
// payload that does not decode, is "corrupted" (it then also shows as lost,
// since its true number is unknown). What was sent but never arrived by
// finish() is "lost".
class sequence_checker {
 public:
  enum class verdict { in_order, ahead, late, duplicate, corrupted };

  // `sent` is how many messages the sender has sent so far (numbers 0..sent-1).
  verdict on_receive(std::uint64_t seq, std::uint64_t sent);
  void on_corrupted() { ++corrupted_; }
  // The sender has stopped after `sent` messages: everything missing now is lost.
  void finish(std::uint64_t sent);

  std::uint64_t received() const { return received_; }  // distinct, valid messages
  std::uint64_t lost() const { return lost_; }
  std::uint64_t duplicated() const { return duplicated_; }
  std::uint64_t reordered() const { return reordered_; }
  std::uint64_t corrupted() const { return corrupted_; }
  std::uint64_t errors() const { return lost_ + duplicated_ + reordered_ + corrupted_; }

 private:
  std::uint64_t next_ = 0;           // lowest number never received, with everything below it seen or missing_
  std::set<std::uint64_t> missing_;  // below next_ and not seen yet (normally empty)
  std::uint64_t received_ = 0;
  std::uint64_t lost_ = 0;
  std::uint64_t duplicated_ = 0;
  std::uint64_t reordered_ = 0;
  std::uint64_t corrupted_ = 0;
};

}  // namespace chat::bench
