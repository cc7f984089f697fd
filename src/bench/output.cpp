#include "bench/output.hpp"

#include <fstream>

#include "bench/report.hpp"

namespace chat::bench {

std::FILE* human_stream(const output_options& o) {
  return o.json_path == "-" ? stderr : stdout;
}

void print_interval(const interval_figures& f, const output_options& o) {
  if (o.quiet || o.progress) return;
  std::FILE* out = human_stream(o);
  std::fprintf(out, "%s\n", interval_line(f).c_str());
  std::fflush(out);
}

int finish_run(const bench_result& r, const output_options& o) {
  const auto breaches = threshold_breaches(o.thresholds, r);
  if (o.quiet) {
    if (!r.ok()) {
      std::fprintf(stderr, "chat-bench: FAILED: %s (%llu errors)\n",
                   r.error.empty() ? "delivery errors" : r.error.c_str(),
                   static_cast<unsigned long long>(r.total_errors()));
    }
  } else {
    std::fputs(summary_table(r, breaches).c_str(), human_stream(o));
    std::fflush(human_stream(o));
  }
  int status = r.ok() ? exit_ok : exit_errors;
  if (!o.json_path.empty()) {
    const auto json = to_json(r);
    if (o.json_path == "-") {
      std::fputs(json.c_str(), stdout);
      if (std::fflush(stdout) != 0) status = exit_errors;
    } else {
      std::ofstream file(o.json_path);
      file << json;
      file.flush();
      if (!file) {
        std::fprintf(stderr, "chat-bench: cannot write %s\n", o.json_path.c_str());
        status = exit_errors;
      }
    }
  }
  for (const auto& b : breaches) std::fprintf(stderr, "chat-bench: --fail-if not met: %s\n", b.c_str());
  if (status == exit_ok && !breaches.empty()) status = exit_thresholds;
  return status;
}

}  // namespace chat::bench
