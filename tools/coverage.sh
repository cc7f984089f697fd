#!/usr/bin/env bash
# Line, function and branch coverage of the server and the tools under the whole test suite.
#   tools/coverage.sh   configure build-coverage/ (g++ -O0 --coverage), build, run every test,
#                       then write report/data/coverage/{summary.txt,summary.json,ctest.txt}
# The Python end-to-end tests run the real binaries: a process writes its .gcda counters when it
# exits normally (SIGTERM/SIGINT shut the server down gracefully, so they count); one killed by
# SIGKILL or a signal it does not handle writes nothing, so its run is missing from the figures.
# Likewise a run as another user (e2e.encap_tshark.unprivileged drops to nobody) cannot write the
# .gcda files and counts for nothing: chat-encap --send (raw_sender.cpp) shows as never run.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build-coverage
out=report/data/coverage

# The project's own dependencies, then gcovr (Debian 12: gcovr 5.2).
tools/dev deps
if ! command -v gcovr >/dev/null; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends gcovr >/dev/null
fi

start=$SECONDS
# Debug = -g -O0: every line maps to code; CHAT_COVERAGE adds --coverage (CMakeLists.txt).
[ -f "$dir/build.ninja" ] ||
  CXX=g++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCHAT_COVERAGE=ON >/dev/null
cmake --build "$dir"
build_s=$((SECONDS - start))

# Counters from an earlier run would add up: start from zero.
find "$dir" -name '*.gcda' -delete

# The environment tools/dev test uses. A failing test does not stop the report; it fails the script.
start=$SECONDS
ctest_rc=0
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  ctest --test-dir "$dir" --output-on-failure -j 2 --timeout 300 2>&1 | tee "$dir/ctest.log" || ctest_rc=$?
ctest_s=$((SECONDS - start))

mkdir -p "$out"
# ctest's summary: the pass line, any failed tests, the total time; then our own timings.
{
  sed -n '/tests passed, .* tests failed out of/,$p' "$dir/ctest.log" | grep -v '^Errors while running CTest'
  echo "build (incremental if build-coverage/ existed): ${build_s} s; ctest: ${ctest_s} s"
} >"$out/ctest.txt"

# One gcovr pass over our sources; tests/ and fuzz/ are left out. Filters are regexes matched
# from the start of the repo-relative path. Throw branches and compiler-made ones are left out:
# they are not decisions in our code.
start=$SECONDS
gcovr_args=(--root . --object-directory "$dir" -j 2
            --filter 'src/' --filter 'include/' --filter 'bench/'
            --exclude-throw-branches --exclude-unreachable-branches)
gcovr "${gcovr_args[@]}" \
  --json "$dir/coverage.json" \
  --json-summary-pretty --json-summary "$out/summary.json" \
  --txt "$dir/coverage.txt"
gcovr_s=$((SECONDS - start))

# summary.txt: one row per file (from summary.json, so both files agree), then the totals per
# area. Per-line detail (gcovr's text report with the Missing lines) stays in build-coverage/.
python3 tools/coverage_summary.py "$out/summary.json" "$out/summary.txt"
echo "timings: build ${build_s} s, ctest ${ctest_s} s, gcovr ${gcovr_s} s"
echo "tests: $(head -1 "$out/ctest.txt")"
echo "wrote $out/summary.txt, $out/summary.json, $out/ctest.txt (per-line detail: $dir/coverage.txt, $dir/coverage.json)"
exit "$ctest_rc"
