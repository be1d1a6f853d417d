#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang in build-fuzz/ (ASan, UBSan with
# float-cast-overflow and signed-integer-overflow, no recovery) and runs each one after the other.
# Usage: scripts/fuzz.sh [--time SECONDS | --runs N | --build-only] [TARGET...]
#   AZID_FUZZ_BUILD_DIR=DIR builds and runs in DIR instead of build-fuzz/
#   --time SECONDS  run each target this long (default 60)
#   --runs N        run each target for N inputs (with --time: whichever comes first)
#   --build-only    configure and build, run nothing (scripts/test.sh then runs `ctest -L fuzz`)
#   TARGET          e.g. jwt tokencache (default: all)
# New inputs go to build-fuzz/tests/fuzz/corpus/<target>/, crashes to build-fuzz/tests/fuzz/artifacts/;
# the seed corpus in tests/fuzz/corpus/ is only read. A crash reproduces with
#   build-fuzz/tests/fuzz/fuzz_<target> <crash file>
set -euo pipefail
cd "$(dirname "$0")/.."

seconds_limit=60
runs_limit=
build_only=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) seconds_limit=$2; time_given=1; shift 2 ;;
    --runs) runs_limit=$2; shift 2 ;;
    --build-only) build_only=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done

limit=()
if [ -n "$runs_limit" ]; then
  limit+=(-runs="$runs_limit")
  [ -n "${time_given:-}" ] && limit+=(-max_total_time="$seconds_limit")
else
  limit+=(-max_total_time="$seconds_limit")
fi

for tool in clang clang++; do
  if ! command -v "$tool" >/dev/null; then
    echo "fuzz.sh: $tool is missing: run scripts/install-deps.sh" >&2
    exit 1
  fi
done

dir=${AZID_FUZZ_BUILD_DIR:-build-fuzz}
# Only the libraries the targets need are built: no GUI, no tests, no programs.
CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAZID_BUILD_FUZZERS=ON \
  -DAZID_BUILD_GUI=OFF -DAZID_BUILD_TESTS=OFF -DAZID_FUZZ_SECONDS="${AZID_FUZZ_SECONDS:-10}" >/dev/null
cmake --build "$dir" --target azid_fuzzers -j "${AZID_BUILD_JOBS:-2}"
[ "$build_only" -eq 1 ] && exit 0

if [ ${#targets[@]} -eq 0 ]; then
  for source in tests/fuzz/fuzz_*.cpp; do
    name=$(basename "$source" .cpp)
    targets+=("${name#fuzz_}")
  done
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
out="$dir/tests/fuzz"
summary=()
failed=0
for name in "${targets[@]}"; do
  mkdir -p "$out/corpus/$name" "$out/artifacts"
  log="$out/$name.log"
  echo "== fuzz_$name (${limit[*]})"
  start=$(date +%s)
  status=0
  "$out/fuzz_$name" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -dict=tests/fuzz/json.dict \
    -artifact_prefix="$out/artifacts/$name-" "$out/corpus/$name" "tests/fuzz/corpus/$name" >"$log" 2>&1 || status=$?
  seconds=$(( $(date +%s) - start ))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ "$status" -eq 0 ]; then
    result=ok
  else
    result="FAILED (exit $status, see $log)"
    failed=1
    grep -E "ERROR|runtime error|fuzz check failed|Test unit written" "$log" | head -5 || true
  fi
  summary+=("$(printf '%-16s %12s runs %6s s  %s' "$name" "${runs:-?}" "$seconds" "$result")")
done
echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
