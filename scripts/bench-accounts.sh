#!/usr/bin/env bash
# shellcheck disable=SC2016  # the inner script expands its variables itself
# What many accounts cost (issue 18's table). Against azid-sandbox with a generated user list
# (--generate-users) and a private gnome-keyring, on a private X server with a tray host, it makes one
# profile per size: alice and SIZE-1 generated users (user1@contoso.test, ...), each signed in with
# `azid-cli login` (password flow), so the profile holds SIZE accounts and their tokens; beyond
# AZID_BENCH_SIGNED_IN accounts (default 200: a login takes 1 to 4 s on a busy 2-core machine) the
# rest of the generated users are imported as records (`azid-cli accounts import`, no tokens). For each
# size:
#   - `azid-cli token --account alice@contoso.test`, cached (hyperfine), and the D-Bus method calls
#     that one such call makes to the Secret Service (dbus-monitor);
#   - `azid-cli accounts list` (hyperfine);
#   - loading a token cache of SIZE accounts (read, decrypt, parse, index; bench_storage's
#     BM_LoadCache/SIZE: 5 scopes per account, tokens of Entra's size, the key from memory), and the
#     size of the profile's own cache file (the sandbox's tokens are smaller than Entra's);
#   - for the tray sizes: the tray app's start to tray-ready and idle RSS (scripts/bench-app-measure.py,
#     as scripts/bench-app.sh measures them).
# Then it prints every figure side by side, with the targets.
#
# Usage: scripts/bench-accounts.sh [SIZE...]   (default: 1 100 1000)
# Environment: AZID_BENCH_BUILD (a build folder with azid-cli, azid-sandbox, bench_storage and
#              app/gui/azid-testhooks; default: builds build-bench-gui/, Release),
#              AZID_BENCH_TRAY_SIZES (default "1 200"; sizes that are not in SIZE get a profile too;
#              "" skips the tray), AZID_BENCH_TRAY_RUNS (default 5), AZID_BENCH_SIGNED_IN (default 200),
#              AZID_BUILD_JOBS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 100 1000)
tray_sizes=${AZID_BENCH_TRAY_SIZES-1 200}
tray_runs=${AZID_BENCH_TRAY_RUNS:-5}
for size in "${sizes[@]}" $tray_sizes; do
  if ! [[ "$size" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [SIZE...]   (sizes are whole numbers from 1)" >&2
    exit 2
  fi
done

scripts/install-deps.sh
if ! command -v hyperfine >/dev/null; then
  as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq hyperfine </dev/null
fi
build=${AZID_BENCH_BUILD:-build-bench-gui}
if [ -z "${AZID_BENCH_BUILD:-}" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAZID_BUILD_GUI=ON -DAZID_TEST_HOOKS=ON \
    -DAZID_BUILD_BENCHMARKS=ON >/dev/null
  cmake --build "$build" -j "${AZID_BUILD_JOBS:-2}" --target azid-cli azid-sandbox bench_storage azid_testhooks
fi

echo "== machine: $(nproc) cores; load before: $(uptime)"
AZID_ROOT="$root" AZID_BUILD="$build" AZID_TRAY_SIZES="$tray_sizes" AZID_TRAY_RUNS="$tray_runs" \
  AZID_SIGNED_IN="${AZID_BENCH_SIGNED_IN:-200}" \
  tests/support/run-with-keyring.sh bash tests/gui/with-xvfb.sh bash -c '
  set -euo pipefail
  bin="$AZID_ROOT/$AZID_BUILD"
  cli="$bin/app/cli/azid-cli"
  state=$(mktemp -d)
  sizes=("$@")
  read -r -a tray_sizes <<< "$AZID_TRAY_SIZES"
  all=$(printf "%s\n" "${sizes[@]}" "${tray_sizes[@]}" | sort -n -u)
  largest=$(echo "$all" | tail -1)
  "$bin/tests/sandbox/azid-sandbox" --quiet --state-dir "$state" --generate-users "$largest" > "$state/out" &
  sandbox=$!
  trap "kill $sandbox" EXIT
  for _ in $(seq 100); do grep -q AZID_SANDBOX_READY "$state/out" && break; sleep 0.1; done
  url=$(sed -n "s/^AZID_SANDBOX_URL=//p" "$state/out"); ca=$(sed -n "s/^AZID_SANDBOX_CA=//p" "$state/out")
  scope=https://management.azure.com/.default
  login() { # PROFILE USER PASSWORD
    echo "$3" | "$cli" --profile "$1" --authority "$url" --ca-bundle "$ca" --disable-instance-discovery \
      login --flow password --username "$2" --password-stdin --scope "$scope" > /dev/null
  }
  mean() { python3 -c "import json, sys; r = json.load(open(sys.argv[1]))[\"results\"][0]; print(\"%.1f ± %.1f\" % (r[\"mean\"] * 1000, r[\"stddev\"] * 1000))" "$1"; }
  declare -A token calls list load file tray rss
  for size in $all; do
    profile="bench-$size"
    started=$(date +%s)
    login "$profile" alice@contoso.test alice-password-1
    signed=$(( size < AZID_SIGNED_IN ? size : AZID_SIGNED_IN ))
    for n in $(seq 1 $((signed - 1))); do login "$profile" "user$n@contoso.test" "user$n-password-1"; done
    if [ "$size" -gt "$signed" ]; then
      python3 -c "import json, sys
json.dump([{\"username\": f\"user{i}@contoso.test\", \"authority\": \"login.microsoftonline.com\",
            \"homeAccountId\": f\"uid{i}.72f988bf-86f1-41af-91ab-2d7cd011db47\",
            \"tenantId\": \"72f988bf-86f1-41af-91ab-2d7cd011db47\",
            \"clientId\": \"04b07795-8ddb-461a-bbee-02f9e1bf7b46\", \"version\": \"1.0\"}
           for i in range(int(sys.argv[1]), int(sys.argv[2]))], open(sys.argv[3], \"w\"))" "$signed" "$size" "$state/records.json"
      imported=$(date +%s%N)
      "$cli" --profile "$profile" accounts import --file "$state/records.json" 2> /dev/null
      echo "$((size - signed)) records imported in one azid-cli accounts import: $(( ($(date +%s%N) - imported) / 1000000 )) ms" >&2
    fi
    echo "profile of $size account(s), $signed signed in, in $(( $(date +%s) - started )) s" >&2
    cache=$(ls "$XDG_DATA_HOME"/azid/"$profile"/*.nocae.bin 2>/dev/null | head -1 || true)
    [ -z "$cache" ] || file[$size]=$(du -k "$cache" | cut -f1)
    tokencmd=("$cli" --profile "$profile" token --scope "$scope" --account alice@contoso.test)
    "${tokencmd[@]}" > /dev/null # the first one after a login refreshes (the login cached its token per tenant)
    hyperfine -N -w 3 -r 30 --export-json "$state/t.json" "${tokencmd[*]}" > /dev/null 2>&1
    token[$size]=$(mean "$state/t.json")
    dbus-monitor --session "destination=org.freedesktop.secrets" > "$state/monitor" 2> /dev/null &
    monitor=$!
    sleep 0.5
    "${tokencmd[@]}" > /dev/null
    sleep 0.5
    kill $monitor
    calls[$size]=$(grep -c "^method call" "$state/monitor" || true)
    hyperfine -N -w 2 -r 10 --export-json "$state/l.json" "$cli --profile $profile accounts list" > /dev/null 2>&1
    list[$size]=$(mean "$state/l.json")
    "$bin/tests/bench/bench_storage" --benchmark_filter="BM_LoadCache/$size/" --benchmark_repetitions=5 \
      --benchmark_format=json > "$state/load.json" 2> /dev/null
    load[$size]=$(python3 -c "import json, sys; b = [r for r in json.load(open(sys.argv[1]))[\"benchmarks\"] if r.get(\"aggregate_name\") == \"median\"]; print(\"%.1f\" % b[0][\"real_time\"] if b else \"-\")" "$state/load.json")
    if [[ " ${tray_sizes[*]} " == *" $size "* ]]; then
      rm -f "$state/tray.json"
      AZID_BENCH_SUMMARY="$state/tray.json" python3 "$AZID_ROOT/scripts/bench-app-measure.py" \
        "$bin/app/gui/azid-testhooks" "$size account(s)" "$AZID_TRAY_RUNS" 3 "$size" "$profile" > "$state/tray.log"
      tray[$size]=$(python3 -c "import json, sys; print(\"%.0f\" % json.loads(open(sys.argv[1]).readline())[\"tray\"])" "$state/tray.json")
      rss[$size]=$(python3 -c "import json, sys; print(\"%.1f\" % json.loads(open(sys.argv[1]).readline())[\"rss\"])" "$state/tray.json")
    fi
    echo "$size: token ${token[$size]} ms, ${calls[$size]} D-Bus calls, list ${list[$size]} ms, cache load ${load[$size]} ms, tray ${tray[$size]:--} ms, RSS ${rss[$size]:--} MiB" >&2
  done
  row() { # LABEL TARGET ARRAY-NAME
    local -n values=$3
    printf "%-46s" "$1"
    for size in $all; do printf " %16s" "${values[$size]:--}"; done
    printf "   %s\n" "$2"
  }
  printf "%-46s" "accounts"
  for size in $all; do printf " %16s" "$size"; done
  printf "   target\n"
  row "azid-cli token, cached (ms, mean ± sd)" "<= 1.3 x the 1-account time" token
  row "  D-Bus calls to the Secret Service per token" "fixed" calls
  row "azid-cli accounts list (ms, mean ± sd)" "<= 150 ms at 1,000" list
  row "token cache: load + decrypt + index (ms, median)" "<= 20 ms at 1,000" load
  row "  token cache file (KiB)" "" file
  row "tray app: start to tray-ready (ms, median)" "<= 150 ms at 200" tray
  row "tray app: idle VmRSS after 3 s (MiB, median)" "<= 50 MiB at 200" rss
' bench-accounts "${sizes[@]}"
echo "== load after: $(uptime)"
