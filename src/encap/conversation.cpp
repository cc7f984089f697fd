#include "encap/conversation.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "encap/input_error.hpp"
#include "encap/pcap_writer.hpp"
#include "encap/timestamp.hpp"

namespace chat::encap {

namespace {

using port_pair = std::pair<std::uint16_t, std::uint16_t>;  // lower port first

port_pair key_of(const chat_row& row) {
  return std::minmax(row.src_port, row.dst_port);
}

// FNV-1a: a fixed "random-looking" ISN and IP ID per direction, so the same input
// always gives the same pcap (a real stack randomises them, RFC 6528).
std::uint32_t fnv1a(const std::string& text) {
  std::uint32_t h = 2166136261U;
  for (unsigned char c : text) {
    h ^= c;
    h *= 16777619U;
  }
  return h;
}

// The state of one connection while frames are laid down.
struct connection_state {
  connection_info info;
  std::size_t index = 0;
  std::size_t last_row = 0;  // index of its last CSV row: the close follows it
  bool open = false;
  std::uint32_t client_next = 0;  // next sequence number each side sends
  std::uint32_t server_next = 0;
  std::uint16_t client_ip_id = 0;
  std::uint16_t server_ip_id = 0;
};

class builder {
 public:
  explicit builder(const conversation_options& options) : options_(options) {}

  conversation run(const std::vector<chat_row>& rows, const std::string& file) {
    plan(rows, file);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const chat_row& row = rows[i];
      row_ = &row;
      file_ = &file;
      // A row's own time is never moved, so one that pcap cannot stamp is refused here.
      if (row.timestamp_us < pcap_first_time_us)
        throw input_error(file, row.line, row.timestamp_column,
                          "column timestamp: " + format_timestamp(row.timestamp_us) +
                              " is before 1970-01-01T00:00:00Z, which classic pcap cannot store (its seconds are "
                              "unsigned 32-bit)");
      connection_state& c = states_.at(key_of(row));
      const bool from_client = row.src_port == c.info.client_port;
      std::string line = row.message + "\n";

      const std::size_t segments = (line.size() + options_.mss - 1) / options_.mss;
      // Put the first data frame at the row's timestamp when the gap allows it.
      const std::size_t before = c.open ? 0 : 3;
      start_at(row.timestamp_us - static_cast<std::int64_t>(before) * options_.step_us);
      if (!c.open) handshake(c, row.msg_id);

      for (std::size_t s = 0; s < segments; ++s) {
        const std::size_t begin = s * options_.mss;
        const std::size_t length = std::min<std::size_t>(options_.mss, line.size() - begin);
        const bool last = s + 1 == segments;
        std::string role = segments == 1 ? "data" : "data " + std::to_string(s + 1) + "/" + std::to_string(segments);
        // Linux sets PSH on the segment that empties its send buffer: the message's last.
        emit(c, from_client, static_cast<std::uint8_t>(tcp_flag::ack | (last ? tcp_flag::psh : 0)),
             bytes(line.begin() + static_cast<std::ptrdiff_t>(begin),
                   line.begin() + static_cast<std::ptrdiff_t>(begin + length)),
             row.msg_id, role);
        emit(c, !from_client, tcp_flag::ack, {}, row.msg_id, "ACK");
      }
      if (c.last_row == i) close(c, from_client, row.msg_id);
    }
    conversation out;
    out.connections.resize(states_.size());
    for (const auto& [key, state] : states_) out.connections[state.index] = state.info;
    out.frames = std::move(frames_);
    return out;
  }

 private:
  // First pass: which connections exist, who is the server in each, where each ends.
  void plan(const std::vector<chat_row>& rows, const std::string& file) {
    std::map<std::uint16_t, std::pair<std::string, std::size_t>> owner;  // port -> app, row index
    std::map<std::uint16_t, std::set<port_pair>> used_in;
    std::vector<port_pair> order;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const chat_row& row = rows[i];
      for (auto [port, app, column] : {std::tuple{row.src_port, row.src_app, row.src_port_column},
                                       std::tuple{row.dst_port, row.dst_app, row.dst_port_column}}) {
        auto [it, fresh] = owner.try_emplace(port, app, row.line);
        if (!fresh && it->second.first != app)
          throw input_error(file, row.line, column,
                            "port " + std::to_string(port) + " belongs to " + it->second.first + " (line " +
                                std::to_string(it->second.second) + "), not " + app);
      }
      const port_pair key = key_of(row);
      used_in[row.src_port].insert(key);
      used_in[row.dst_port].insert(key);
      if (std::find(order.begin(), order.end(), key) == order.end()) order.push_back(key);
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const chat_row& row = rows[i];
      const port_pair key = key_of(row);
      auto [it, fresh] = states_.try_emplace(key);
      connection_state& c = it->second;
      c.last_row = i;
      if (!fresh) continue;
      c.index = static_cast<std::size_t>(std::find(order.begin(), order.end(), key) - order.begin());
      std::uint16_t server = pick_server(key, used_in);
      if (options_.server_port && server != *options_.server_port)
        throw input_error(
            file, row.line, row.dst_port_column,
            "neither port of this connection is the server port " + std::to_string(*options_.server_port));
      const std::uint16_t client = server == key.first ? key.second : key.first;
      c.info.server_port = server;
      c.info.client_port = client;
      c.info.server_app = owner.at(server).first;
      c.info.client_app = owner.at(client).first;
      const std::string tag = std::to_string(client) + "-" + std::to_string(server);
      c.info.client_isn = fnv1a("isn client " + tag);
      c.info.server_isn = fnv1a("isn server " + tag);
      c.client_ip_id = static_cast<std::uint16_t>(fnv1a("ipid client " + tag));
      c.server_ip_id = static_cast<std::uint16_t>(fnv1a("ipid server " + tag));
    }
  }

  std::uint16_t pick_server(port_pair key, const std::map<std::uint16_t, std::set<port_pair>>& used_in) const {
    const std::size_t a = used_in.at(key.first).size();
    const std::size_t b = used_in.at(key.second).size();
    if (a != b) return a > b ? key.first : key.second;
    if (options_.server_port && (key.first == *options_.server_port || key.second == *options_.server_port))
      return *options_.server_port;
    return key.first;
  }

  // Frames the CSV gives no time for may be moved: a handshake that would fall before the epoch starts
  // at it instead (its data then follows a little after the row's time), and no frame goes before
  // the one written before it.
  void start_at(std::int64_t wanted) {
    wanted = std::max(wanted, pcap_first_time_us);
    if (!frames_.empty()) wanted = std::max(wanted, frames_.back().time_us + options_.step_us);
    next_time_ = wanted;
  }

  void handshake(connection_state& c, std::uint64_t msg_id) {
    c.client_next = c.info.client_isn;
    c.server_next = c.info.server_isn;
    emit(c, true, tcp_flag::syn, {}, msg_id, "SYN");
    emit(c, false, tcp_flag::syn | tcp_flag::ack, {}, msg_id, "SYN, ACK");
    emit(c, true, tcp_flag::ack, {}, msg_id, "ACK (handshake)");
    c.open = true;
  }

  void close(connection_state& c, bool closer_is_client, std::uint64_t msg_id) {
    emit(c, closer_is_client, tcp_flag::fin | tcp_flag::ack, {}, msg_id, "FIN");
    emit(c, !closer_is_client, tcp_flag::fin | tcp_flag::ack, {}, msg_id, "FIN");
    emit(c, closer_is_client, tcp_flag::ack, {}, msg_id, "ACK (teardown)");
  }

  // Builds and assembles one frame from one side, advancing that side's sequence number.
  void emit(connection_state& c, bool from_client, int flags, bytes payload, std::uint64_t msg_id, std::string role) {
    if (next_time_ > pcap_last_time_us)
      throw input_error(*file_, row_->line, row_->timestamp_column,
                        "column timestamp: the frames of this row would fall after " +
                            format_timestamp(pcap_last_time_us) +
                            ", the last time classic pcap can store (its seconds are unsigned 32-bit)");
    frame f;
    f.time_us = next_time_;
    next_time_ += options_.step_us;
    f.is_ipv6 = options_.ipv6;
    const std::uint16_t src_port = from_client ? c.info.client_port : c.info.server_port;
    const std::uint16_t dst_port = from_client ? c.info.server_port : c.info.client_port;
    if (options_.ipv6) {
      f.ipv6.source[15] = 1;  // ::1
      f.ipv6.destination[15] = 1;
    } else {
      f.ipv4.source = {127, 0, 0, 1};
      f.ipv4.destination = {127, 0, 0, 1};
      f.ipv4.identification = from_client ? c.client_ip_id++ : c.server_ip_id++;
    }
    std::uint32_t& own_next = from_client ? c.client_next : c.server_next;
    const std::uint32_t peer_next = from_client ? c.server_next : c.client_next;
    f.tcp.source_port = src_port;
    f.tcp.destination_port = dst_port;
    f.tcp.sequence = own_next;
    f.tcp.flags = static_cast<std::uint8_t>(flags);
    f.tcp.acknowledgment = (flags & tcp_flag::ack) ? peer_next : 0;
    if (flags & tcp_flag::syn) f.tcp.mss = options_.mss;
    // SYN and FIN each take one sequence number; data takes its length.
    own_next += static_cast<std::uint32_t>(payload.size()) + ((flags & (tcp_flag::syn | tcp_flag::fin)) ? 1U : 0U);
    f.payload = std::move(payload);
    f.connection = c.index;
    f.msg_id = msg_id;
    f.role = std::move(role);
    assemble(f);
    frames_.push_back(std::move(f));
  }

  conversation_options options_;
  std::map<port_pair, connection_state> states_;
  std::vector<frame> frames_;
  std::int64_t next_time_ = 0;
  const chat_row* row_ = nullptr;      // the row whose frames are being laid down, for errors
  const std::string* file_ = nullptr;  // its file name
};

}  // namespace

conversation build_conversation(const std::vector<chat_row>& rows, const conversation_options& options,
                                const std::string& file_name) {
  return builder(options).run(rows, file_name);
}

}  // namespace chat::encap
