// Turns the CSV rows into TCP connections and their frames.
//
// Mapping: the two ports of a row name its connection (both ends share one loopback
// address). In each connection the server is the port that appears in the most
// connections (5555 in ours), or --server-port; on a tie, the lower port. The
// client opens with a three-way handshake before the connection's first row; each
// row becomes data from its sender in file order, cut into --mss segments, each
// acknowledged by the receiver; after the connection's last row its sender closes
// (FIN/ACK, FIN/ACK, ACK), as our server does after OK BYE.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "encap/chat_rows.hpp"
#include "encap/frame.hpp"

namespace chat::encap {

struct conversation_options {
  std::uint16_t mss = 1460;  // Ethernet MTU 1500 - 20 (IPv4) - 20 (TCP)
  bool ipv6 = false;
  std::optional<std::uint16_t> server_port;  // decides a tie; must be in every connection when given
  std::int64_t step_us = 100;                // gap between frames that the CSV gives no time for
};

struct connection_info {
  std::string client_app;
  std::string server_app;
  std::uint16_t client_port = 0;
  std::uint16_t server_port = 0;
  std::uint32_t client_isn = 0;
  std::uint32_t server_isn = 0;
};

struct conversation {
  std::vector<connection_info> connections;  // in order of first appearance
  std::vector<frame> frames;                 // in time order, assembled
};

// Time: every frame fits classic pcap (1970-01-01T00:00:00Z to 2106-02-07T06:28:15.999999Z,
// see pcap_time) and no frame is earlier than the one before it. A handshake that would start
// before the epoch is moved up to it.
// Throws input_error (naming `file_name`, the row's line and a port column) when a
// port is used by two different apps, or a connection lacks --server-port; and (naming
// the timestamp column) when a row is before 1970 or a row's frames would fall after 2106-02-07T06:28:15.999999Z.
conversation build_conversation(const std::vector<chat_row>& rows, const conversation_options& options,
                                const std::string& file_name);

}  // namespace chat::encap
