// Injects frames on a network interface through an AF_PACKET socket, for a live
// Wireshark demo on lo. Needs root or CAP_NET_RAW.
#pragma once

#include <string>
#include <vector>

#include "encap/frame.hpp"

namespace chat::encap {

// Sends each frame's Ethernet bytes on `interface`, keeping the gaps between
// timestamps but never sleeping more than `max_gap_ms`. Returns an empty string
// on success, else what went wrong (a missing privilege is said plainly).
std::string send_frames(const std::vector<frame>& frames, const std::string& interface, int max_gap_ms);

}  // namespace chat::encap
