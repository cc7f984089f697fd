#include "chat/bench/payload.hpp"

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

bool get_hex(const char* in, std::uint64_t& v) {
  std::uint64_t r = 0;
  for (int i = 0; i < 16; ++i) {
    const char c = in[i];
    std::uint64_t d;
    if (c >= '0' && c <= '9') {
      d = static_cast<std::uint64_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<std::uint64_t>(c - 'a' + 10);
    } else {
      return false;
    }
    r = (r << 4) | d;
  }
  v = r;
  return true;
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
