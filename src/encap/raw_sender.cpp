#include "encap/raw_sender.hpp"

#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace chat::encap {

std::string send_frames(const std::vector<frame>& frames, const std::string& interface, int max_gap_ms) {
  // Protocol 0: this socket only sends, it never receives a copy of the traffic.
  const int fd = ::socket(AF_PACKET, SOCK_RAW, 0);
  if (fd < 0) {
    if (errno == EPERM || errno == EACCES)
      return "--send needs root or CAP_NET_RAW (try: sudo, or setcap cap_net_raw+ep on chat-encap)";
    return std::string("cannot open an AF_PACKET socket: ") + std::strerror(errno);
  }
  const unsigned index = ::if_nametoindex(interface.c_str());
  if (index == 0) {
    ::close(fd);
    return "no interface named " + interface;
  }
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_ifindex = static_cast<int>(index);
  to.sll_halen = 6;  // destination MAC is all zero, as in the frames

  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (i > 0) {
      const auto gap = std::min<std::int64_t>(frames[i].time_us - frames[i - 1].time_us,
                                              static_cast<std::int64_t>(max_gap_ms) * 1000);
      std::this_thread::sleep_for(std::chrono::microseconds(std::max<std::int64_t>(gap, 0)));
    }
    const auto& wire = frames[i].wire;
    if (::sendto(fd, wire.data(), wire.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return "sending frame " + std::to_string(i + 1) + " failed: " + why;
    }
  }
  ::close(fd);
  return "";
}

}  // namespace chat::encap
