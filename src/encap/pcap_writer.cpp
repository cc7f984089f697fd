#include "encap/pcap_writer.hpp"

#include <stdexcept>
#include <string>

namespace chat::encap {

namespace {

constexpr std::uint32_t snap_length = 262144;  // what tcpdump uses: never truncates our frames

void put_le32(std::ostream& out, std::uint32_t value) {
  const char b[4] = {static_cast<char>(value & 0xFF), static_cast<char>((value >> 8) & 0xFF),
                     static_cast<char>((value >> 16) & 0xFF), static_cast<char>((value >> 24) & 0xFF)};
  out.write(b, 4);
}

void put_le16(std::ostream& out, std::uint16_t value) {
  const char b[2] = {static_cast<char>(value & 0xFF), static_cast<char>(value >> 8)};
  out.write(b, 2);
}

}  // namespace

std::optional<pcap_time> to_pcap_time(std::int64_t time_us) {
  if (time_us < pcap_first_time_us || time_us > pcap_last_time_us) return std::nullopt;
  return pcap_time{static_cast<std::uint32_t>(time_us / 1'000'000), static_cast<std::uint32_t>(time_us % 1'000'000)};
}

bool write_pcap(std::ostream& out, const std::vector<frame>& frames, link_type type) {
  put_le32(out, 0xA1B2C3D4);  // magic: microsecond timestamps, read as written
  put_le16(out, 2);           // version 2.4
  put_le16(out, 4);
  put_le32(out, 0);  // thiszone: timestamps are UTC
  put_le32(out, 0);  // sigfigs
  put_le32(out, snap_length);
  put_le32(out, static_cast<std::uint32_t>(type));
  std::int64_t previous = pcap_first_time_us;
  for (const frame& f : frames) {
    const auto time = to_pcap_time(f.time_us);
    if (!time || f.time_us < previous)
      throw std::out_of_range("pcap record time " + std::to_string(f.time_us) +
                              " us is outside classic pcap's range "
                              "or earlier than the record before it");
    previous = f.time_us;
    const std::size_t skip = type == link_type::raw ? f.ip_offset : 0;
    const auto length = static_cast<std::uint32_t>(f.wire.size() - skip);
    put_le32(out, time->seconds);
    put_le32(out, time->micros);
    put_le32(out, length);  // captured length
    put_le32(out, length);  // original length: nothing truncated
    out.write(reinterpret_cast<const char*>(f.wire.data() + skip), static_cast<std::streamsize>(length));
  }
  return static_cast<bool>(out);
}

}  // namespace chat::encap
