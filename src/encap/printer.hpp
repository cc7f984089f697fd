// Human-readable views of the frames: the layered breakdown Wireshark's packet
// details pane gives (each field, its value, what it means), a hex dump banded by
// layer, a one-line summary, and one RFC 1071 checksum worked by hand.
#pragma once

#include <ostream>

#include "encap/conversation.hpp"

namespace chat::encap {

// Frame numbers are 1-based, as in Wireshark.
void print_frame(std::ostream& out, const conversation& conv, std::size_t number);
void print_summary(std::ostream& out, const conversation& conv);
// The TCP checksum of frame `number`, word by word: pseudo-header, header, data,
// the one's-complement sum, the folding of carries and the complement.
void print_worked_checksum(std::ostream& out, const conversation& conv, std::size_t number);

}  // namespace chat::encap
