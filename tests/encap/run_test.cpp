// chat-encap's work once its flags are parsed: --corrupt's syntax, frame numbers checked
// against the conversation, the pcap written and the exit status, without a process.
#include "encap/run.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace chat::encap;

namespace {

// A CSV of one exchange (10 frames: handshake, two data segments and their ACKs, teardown)
// in a scratch directory that goes with it.
struct scratch {
  scratch() : dir(std::filesystem::temp_directory_path() / ("encap_run_test_" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "c.csv") << "msg_id,app_protocol,src_app,dst_app,src_port,dst_port,message,timestamp\n"
                                    "1,C,Noy,server,50001,5555,REGISTER Noy,100\n"
                                    "2,C,server,Noy,5555,50001,OK REGISTERED Noy,101\n";
  }
  ~scratch() { std::filesystem::remove_all(dir); }
  run_options options(print_mode print = print_mode::none) const {
    run_options o;
    o.input = (dir / "c.csv").string();
    o.output = (dir / "out.pcap").string();
    o.print = print;
    return o;
  }
  std::filesystem::path dir;
};

struct result {
  int status;
  std::string out, err;
};

result run_with(const run_options& options) {
  std::ostringstream out, err;
  const int status = run(options, out, err);
  return {status, out.str(), err.str()};
}

}  // namespace

TEST_CASE("corrupt requests are ip:N or tcp:N", "[encap][run]") {
  CHECK(parse_corrupt("ip:7") == corrupt_request{checksum_layer::ip, 7});
  CHECK(parse_corrupt("tcp:1") == corrupt_request{checksum_layer::tcp, 1});
  CHECK(parse_corrupt("tcp:123456789") == corrupt_request{checksum_layer::tcp, 123456789});
  for (const auto* bad : {"ip", "ip:", "udp:3", "tcp:x", "tcp:-1", "tcp:1234567890", ":3", "IP:3"}) {
    INFO(bad);
    CHECK_FALSE(parse_corrupt(bad));
  }
}

TEST_CASE("frame numbers are checked against the conversation", "[encap][run]") {
  run_options o;
  CHECK(check_frame_numbers(o, 10).empty());
  o.corruptions = {{checksum_layer::tcp, 10}};
  o.print_frames = {1, 10};
  o.checksum_frame = 10;
  CHECK(check_frame_numbers(o, 10).empty());
  CHECK(check_frame_numbers(o, 9) == "--corrupt: frame 10 does not exist (1-9)");
  o.corruptions.clear();
  CHECK(check_frame_numbers(o, 9) == "--frame 10 does not exist (1-9)");
  o.print_frames.clear();
  CHECK(check_frame_numbers(o, 9) == "--checksum-frame 10 does not exist (1-9)");
}

TEST_CASE("run writes the pcap, says so and exits 0", "[encap][run]") {
  const scratch s;
  const auto r = run_with(s.options(print_mode::summary));
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK(r.out.find("chat-encap: wrote 10 frames in 1 connections to ") != std::string::npos);
  CHECK(std::filesystem::file_size(s.options().output) > 24);  // more than the pcap header
  const auto silent = run_with(s.options(print_mode::none));
  CHECK(silent.status == 0);
  CHECK(silent.out.empty());
}

TEST_CASE("the worked checksum is the first data frame's unless one is asked for", "[encap][run]") {
  const scratch s;
  auto o = s.options(print_mode::none);
  o.checksum_frame = 0;
  const auto first = run_with(o);
  o.checksum_frame = 4;
  const auto fourth = run_with(o);
  CHECK(first.status == 0);
  CHECK(first.out == fourth.out);  // frame 4 carries REGISTER Noy, the first data
  o.checksum_frame = 5;
  CHECK(run_with(o).out != first.out);
}

TEST_CASE("bad input and bad frame numbers exit 2, an unwritable pcap 1", "[encap][run]") {
  const scratch s;
  auto o = s.options();
  o.print_frames = {11};
  auto r = run_with(o);
  CHECK(r.status == 2);
  CHECK(r.err == "chat-encap: --frame 11 does not exist (1-10)\n");

  o = s.options();
  o.conversation.ipv6 = true;
  o.corruptions = {{checksum_layer::ip, 1}};
  r = run_with(o);
  CHECK(r.status == 2);
  CHECK(r.err.starts_with("chat-encap: --corrupt ip:1: "));

  o = s.options();
  o.input = (s.dir / "missing.csv").string();
  r = run_with(o);
  CHECK(r.status == 2);
  CHECK(r.err.starts_with("chat-encap: "));

  o = s.options();
  o.output = (s.dir / "no-such-dir" / "out.pcap").string();
  r = run_with(o);
  CHECK(r.status == 1);
  CHECK(r.err == "chat-encap: cannot write " + o.output + "\n");
}
