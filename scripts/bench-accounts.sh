#!/usr/bin/env bash
# What many accounts cost: for profiles of 1, 100, ... accounts (alice signed in against azid-sandbox,
# the rest imported records) in a private gnome-keyring, times `azid-cli token --account alice` (cached)
# and `azid-cli accounts list` with hyperfine, and counts the D-Bus calls one token makes to the Secret
# Service (dbus-monitor).
# Usage: scripts/bench-accounts.sh [SIZE...]   (default: 1 100; builds build-bench/, or uses the build
# folder AZID_BENCH_BUILD names)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 100)

scripts/install-deps.sh
if ! command -v hyperfine >/dev/null; then
  as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq hyperfine </dev/null
fi
build=${AZID_BENCH_BUILD:-build-bench}
if [ -z "${AZID_BENCH_BUILD:-}" ]; then
  cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DAZID_BUILD_BENCHMARKS=ON -DAZID_BUILD_GUI=OFF >/dev/null
  cmake --build build-bench -j "${AZID_BUILD_JOBS:-2}" --target azid-cli azid-sandbox
fi

AZID_ROOT="$root" AZID_BUILD="$build" tests/support/run-with-keyring.sh bash -c '
  set -euo pipefail
  bin="$AZID_ROOT/$AZID_BUILD"
  cli="$bin/app/cli/azid-cli"
  state=$(mktemp -d)
  "$bin/tests/sandbox/azid-sandbox" --quiet --state-dir "$state" > "$state/out" &
  sandbox=$!
  trap "kill $sandbox" EXIT
  for _ in $(seq 100); do [ -s "$state/ca.pem" ] && grep -q https "$state/out" && break; sleep 0.1; done
  authority=$(grep -o "https://127.0.0.1:[0-9]*" "$state/out" | head -1)
  scope=https://management.azure.com/.default
  mean() { python3 -c "import json, sys; r = json.load(open(sys.argv[1]))[\"results\"][0]; print(\"%.1f ms ± %.1f\" % (r[\"mean\"] * 1000, r[\"stddev\"] * 1000))" "$1"; }
  printf "%-8s %-28s %-14s %-28s\n" accounts "token, cached (mean ± σ)" "D-Bus calls" "accounts list (mean ± σ)"
  for size in "$@"; do
    profile="bench-$size"
    echo alice-password-1 | "$cli" --profile "$profile" --authority "$authority" --ca-bundle "$state/ca.pem" \
      --disable-instance-discovery login --flow password --username alice@contoso.test --password-stdin \
      --scope "$scope" > /dev/null
    if [ "$size" -gt 1 ]; then
      python3 -c "import json, sys
json.dump([{\"username\": f\"user{i}@contoso.test\", \"authority\": \"login.microsoftonline.com\",
            \"homeAccountId\": f\"uid{i}.72f988bf-86f1-41af-91ab-2d7cd011db47\",
            \"tenantId\": \"72f988bf-86f1-41af-91ab-2d7cd011db47\",
            \"clientId\": \"04b07795-8ddb-461a-bbee-02f9e1bf7b46\", \"version\": \"1.0\"}
           for i in range(int(sys.argv[1]) - 1)], open(sys.argv[2], \"w\"))" "$size" "$state/records.json"
      "$cli" --profile "$profile" accounts import --file "$state/records.json" 2> /dev/null
    fi
    token=("$cli" --profile "$profile" token --scope "$scope" --account alice@contoso.test)
    "${token[@]}" > /dev/null # the first one after a login refreshes (the login cached its token per tenant)
    hyperfine -N -w 3 -r 30 --export-json "$state/t.json" "${token[*]}" > /dev/null 2>&1
    t=$(mean "$state/t.json")
    dbus-monitor --session "destination=org.freedesktop.secrets" > "$state/monitor" 2> /dev/null &
    monitor=$!
    sleep 0.5
    "${token[@]}" > /dev/null
    sleep 0.5
    kill $monitor
    calls=$(grep -c "^method call" "$state/monitor" || true)
    hyperfine -N -w 2 -r 10 --export-json "$state/l.json" "$cli --profile $profile accounts list" > /dev/null 2>&1
    l=$(mean "$state/l.json")
    printf "%-8s %-28s %-14s %-28s\n" "$size" "$t" "$calls" "$l"
  done
' bench-accounts "${sizes[@]}"
