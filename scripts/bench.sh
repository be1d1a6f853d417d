#!/usr/bin/env bash
# Measures Azid's speed and memory (the numbers in the README come from here) and prints them in
# one table with the floor measured in the same run and the target:
#   1. bench_credentials (Google Benchmark): cached getToken of each kind of credential, cache
#      look-ups by size, a network token request against the same POST with curl over one kept-alive
#      connection (the floor), the first token of a new credential in a warm process (with the
#      discovery requests and TLS handshakes azid-sandbox counted), 1,000 concurrent requests on one
#      expired key;
#   2. bench_storage (Google Benchmark): loading and writing an encrypted token cache of 1,000
#      accounts x 5 scopes;
#   3. azid-cli token for a cached token, process start to exit (keychain read and cache decryption
#      included): wall time with hyperfine and peak RSS with /usr/bin/time, against azid-sandbox and
#      a private gnome-keyring.
# Usage: scripts/bench.sh   (installs hyperfine, time and curl if missing; builds build-bench/)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/install-deps.sh
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}" </dev/null
fi

cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DAZID_BUILD_BENCHMARKS=ON -DAZID_BUILD_GUI=OFF >/dev/null
cmake --build build-bench -j "${AZID_BUILD_JOBS:-2}" --target bench_credentials bench_storage azid-cli azid-sandbox

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

echo "== bench_credentials"
build-bench/tests/bench/bench_credentials --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_out="$results/credentials.json" --benchmark_out_format=json

echo "== bench_storage"
build-bench/tests/bench/bench_storage --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_out="$results/storage.json" --benchmark_out_format=json

echo "== azid-cli token, cached (process start to exit)"
AZID_ROOT="$root" AZID_RESULTS="$results" tests/support/run-with-keyring.sh bash -c '
  set -euo pipefail
  bin="$AZID_ROOT/build-bench"
  state=$(mktemp -d)
  "$bin/tests/sandbox/azid-sandbox" --quiet --state-dir "$state" > "$state/out" &
  sandbox=$!
  trap "kill $sandbox" EXIT
  for _ in $(seq 100); do grep -q AZID_SANDBOX_READY "$state/out" && break; sleep 0.1; done
  url=$(sed -n "s/^AZID_SANDBOX_URL=//p" "$state/out"); ca=$(sed -n "s/^AZID_SANDBOX_CA=//p" "$state/out")
  echo alice-password-1 | "$bin/app/cli/azid-cli" --authority "$url" --ca-bundle "$ca" --disable-instance-discovery \
      login --flow password --username alice@contoso.test --password-stdin \
      --scope https://management.azure.com/.default >/dev/null
  token="$bin/app/cli/azid-cli --output raw token --scope https://management.azure.com/.default"
  $token >/dev/null   # the first call redeems the refresh token for the record'"'"'s tenant; then it is cached
  hyperfine --warmup 5 --runs 50 -N --export-json "$AZID_RESULTS/cli.json" "$token"
  /usr/bin/time -f "%M" -o "$AZID_RESULTS/peak-rss-kib" $token >/dev/null
  echo "peak RSS: $(cat "$AZID_RESULTS/peak-rss-kib") KiB"
'

echo
echo "== Azid, the floor and the targets (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
python3 scripts/bench-table.py "$results/credentials.json" "$results/storage.json" "$results/cli.json" \
  "$(cat "$results/peak-rss-kib")"
