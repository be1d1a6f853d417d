#!/usr/bin/env bash
# Measures the agent (the numbers in the README's agent table come from here), for a cached token,
# against azid-sandbox and a private gnome-keyring:
#   1. azid-cli token through a running `azid-cli agent`, process start to exit (hyperfine), and the
#      same command without an agent (the keychain read and cache decryption included), for comparison;
#   2. the agent's round trip over one open connection (p50, p90, p99) and the requests a second it
#      serves from cache to several clients at once (scripts/bench-agent-client.py).
# Usage: scripts/bench-agent.sh [BUILD_DIR]   (default build-bench/, configured as scripts/bench.sh does)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${1:-build-bench}

command -v hyperfine >/dev/null || { echo "hyperfine is missing: scripts/bench.sh installs it" >&2; exit 1; }
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAZID_BUILD_BENCHMARKS=ON -DAZID_BUILD_GUI=OFF >/dev/null
fi
cmake --build "$build" -j "${AZID_BUILD_JOBS:-2}" --target azid-cli azid-sandbox

AZID_ROOT="$root" AZID_BIN="$root/$build" tests/support/run-with-keyring.sh bash -c '
  set -euo pipefail
  cli="$AZID_BIN/app/cli/azid-cli"
  state=$(mktemp -d)
  "$AZID_BIN/tests/sandbox/azid-sandbox" --quiet --state-dir "$state" > "$state/out" &
  sandbox=$!
  agent=
  trap "kill \$sandbox \$agent 2>/dev/null || true" EXIT
  for _ in $(seq 100); do grep -q AZID_SANDBOX_READY "$state/out" && break; sleep 0.1; done
  url=$(sed -n "s/^AZID_SANDBOX_URL=//p" "$state/out"); ca=$(sed -n "s/^AZID_SANDBOX_CA=//p" "$state/out")
  scope=https://management.azure.com/.default
  echo alice-password-1 | "$cli" --authority "$url" --ca-bundle "$ca" --disable-instance-discovery \
      login --flow password --username alice@contoso.test --password-stdin --scope "$scope" >/dev/null
  token="$cli --output raw token --scope $scope"
  $token >/dev/null # the first call redeems the refresh token for the record'"'"'s tenant; then it is cached

  echo "== azid-cli token without an agent (process start to exit)"
  hyperfine --warmup 5 --runs 50 -N "$token"

  "$cli" agent 2>"$state/agent.log" &
  agent=$!
  for _ in $(seq 100); do [[ -S $XDG_RUNTIME_DIR/azid/agent-default.socket ]] && break; sleep 0.1; done
  $token >/dev/null
  echo "== azid-cli token through the agent (process start to exit)"
  hyperfine --warmup 5 --runs 200 -N "$token"

  echo "== the agent: round trip and requests a second from cache"
  /usr/bin/python3 "$AZID_ROOT/scripts/bench-agent-client.py" "$XDG_RUNTIME_DIR/azid/agent-default.socket" "$scope" \
      --requests 5000 --clients 4
  kill -TERM $agent; wait $agent || true; agent=
  grep -c ": served" "$state/agent.log" | sed "s/^/requests the agent logged as served: /"
'
