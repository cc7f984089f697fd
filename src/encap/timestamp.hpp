// CSV timestamps: ISO 8601 UTC ("2026-11-24T10:00:00.250Z", up to microseconds,
// the Z optional) or Unix seconds with an optional fraction ("1795514400.25").
// pcap stores microseconds, so that is the unit here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::encap {

// Microseconds since 1970-01-01T00:00:00Z, or nullopt when `text` is neither form.
std::optional<std::int64_t> parse_timestamp(std::string_view text);

// "2026-11-24T10:00:00.250000Z"
std::string format_timestamp(std::int64_t micros);

}  // namespace chat::encap
