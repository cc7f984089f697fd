// What cluster nodes say to each other over core NATS, one frame per NATS message
// on the subject of the node it is for (node_subject). Text, single spaces:
//   <kind> <number> <node> <sid> <seq> <word> <rest>
// - connect    C <request> <from node> <from sid> 0   <from name> <target name>
// - reply      R <request> <from node> <target sid> 0 <OK or error code> <target name>
// - msg        M <to sid> <from node> <from sid> <seq> - <text>
// - ack        A <to sid> <from node> <from sid> <seq> - (delivered up to seq, cumulative)
// - disconnect D <to sid> <from node> <from sid> <seq> - (the sender's chat ended after seq)
// Node names travel as subject tokens (node_token), never raw.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::cluster::wire {

enum class kind : char { connect = 'C', reply = 'R', msg = 'M', ack = 'A', disconnect = 'D' };

struct frame {
  kind what = kind::msg;
  std::uint64_t number = 0;  // request id (C, R) or the addressed session (M, A, D)
  std::string node;          // the sending node's token
  std::uint64_t sid = 0;     // the sending side's session (C, M, A, D) or the target's (R)
  std::uint64_t seq = 0;
  std::string word;  // C: the requester's name; R: OK or an error code; else "-"
  std::string rest;  // C, R: the target's name; M: the text; else empty
};

std::string format(const frame& f);
// Nullopt for anything malformed (a frame from another version, say): it is dropped.
std::optional<frame> parse(std::string_view bytes);

// A string as one NATS subject or KV key token: A-Z a-z 0-9 - _ stay, every other
// byte becomes =XX (hex), so '.', '*' and '>' never reach a subject.
std::string token(std::string_view text);
// The subject a node listens on.
std::string node_subject(std::string_view node_token);

}  // namespace chat::cluster::wire
