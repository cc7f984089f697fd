#include "bench/payload.hpp"

#include <array>
#include <cstring>
#include <stdexcept>

namespace chat::bench {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void put_hex(char* out, std::uint64_t v) {
  for (int i = 15; i >= 0; --i) {
    out[i] = hex_digits[v & 0xf];
    v >>= 4;
  }
}

// 0-15 for a lowercase hex digit, 0xff for anything else.
constexpr auto hex_values = [] {
  std::array<std::uint8_t, 256> t{};
  t.fill(0xff);
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<std::uint8_t>(i);
  for (int i = 0; i < 6; ++i) t['a' + i] = static_cast<std::uint8_t>(10 + i);
  return t;
}();

bool get_hex(const char* in, std::uint64_t& v) {
  std::uint64_t r = 0;
  std::uint8_t bad = 0;
  for (int i = 0; i < 16; ++i) {
    const auto d = hex_values[static_cast<unsigned char>(in[i])];
    bad |= d;
    r = (r << 4) | (d & 0xf);
  }
  v = r;
  return (bad & 0xf0) == 0;
}

// splitmix64's finalizer: every input bit changes about half the output bits.
std::uint64_t check_word(std::uint64_t seq, std::uint64_t ts) {
  std::uint64_t z = seq * 0x9e3779b97f4a7c15ull ^ ((ts << 29) | (ts >> 35));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

payload_codec::payload_codec(std::size_t size) {
  if (size < min_payload) throw std::invalid_argument("payload must be at least 48 bytes");
  filler_.resize(size - 48);
  for (std::size_t i = 0; i < filler_.size(); ++i) filler_[i] = static_cast<char>('A' + i % 26);
}

void payload_codec::encode(char* out, std::uint64_t seq, std::uint64_t timestamp_ns) const {
  put_hex(out, seq);
  put_hex(out + 16, timestamp_ns);
  std::memcpy(out + 32, filler_.data(), filler_.size());
  put_hex(out + 32 + filler_.size(), check_word(seq, timestamp_ns));
}

std::optional<payload_codec::decoded> payload_codec::decode(std::string_view bytes) const {
  if (bytes.size() != size()) return std::nullopt;
  decoded d{};
  std::uint64_t check = 0;
  if (!get_hex(bytes.data(), d.seq) || !get_hex(bytes.data() + 16, d.timestamp_ns) ||
      !get_hex(bytes.data() + 32 + filler_.size(), check)) {
    return std::nullopt;
  }
  if (check != check_word(d.seq, d.timestamp_ns)) return std::nullopt;
  if (std::memcmp(bytes.data() + 32, filler_.data(), filler_.size()) != 0) return std::nullopt;
  return d;
}

sequence_checker::verdict sequence_checker::on_receive(std::uint64_t seq, std::uint64_t sent) {
  if (seq >= sent) {
    ++corrupted_;
    return verdict::corrupted;
  }
  if (seq == next_) {
    ++next_;
    ++received_;
    return verdict::in_order;
  }
  if (seq > next_) {
    // Everything between is missing for now: late or lost, finish() decides.
    for (auto s = next_; s < seq; ++s) missing_.insert(missing_.end(), s);
    next_ = seq + 1;
    ++received_;
    return verdict::ahead;
  }
  if (missing_.erase(seq)) {
    ++reordered_;
    ++received_;
    return verdict::late;
  }
  ++duplicated_;
  return verdict::duplicate;
}

void sequence_checker::finish(std::uint64_t sent) {
  lost_ += missing_.size();
  missing_.clear();
  if (sent > next_) lost_ += sent - next_;
  next_ = sent;
}

}  // namespace chat::bench
