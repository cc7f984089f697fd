// Every default of chat-server's settings, in one place. server_config, the
// router's and the sessions' limits, the slow-consumer policy and the command
// line (and so the generated example config file) all read them from here.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chat/protocol.hpp"

namespace chat::server::defaults {

inline constexpr std::string_view host = "127.0.0.1";
inline constexpr std::uint16_t port = protocol::default_port;  // the course's: its client has it written in
inline constexpr std::size_t max_line = protocol::default_max_line;
// Bytes queued for one client before it is cut as a slow consumer (--max-queue).
inline constexpr std::size_t max_queue = std::size_t{1} << 20;
// SO_SNDBUF of every client socket (--send-buffer; slow_consumer.hpp says why it is fixed).
inline constexpr std::size_t send_buffer = 64 * 1024;
inline constexpr std::chrono::milliseconds idle_timeout = std::chrono::minutes(5);
inline constexpr std::chrono::milliseconds register_timeout = std::chrono::seconds(30);
inline constexpr std::chrono::milliseconds stats_interval = std::chrono::minutes(1);
inline constexpr std::chrono::milliseconds shutdown_timeout = std::chrono::seconds(5);
inline constexpr std::string_view log_level = "info";
// /metrics is served to this host only unless told otherwise: counters are not for the whole network.
inline constexpr std::string_view metrics_host = "127.0.0.1";

}  // namespace chat::server::defaults
