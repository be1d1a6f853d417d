#!/usr/bin/env bash
# shellcheck disable=SC2016  # the inner scripts expand their variables themselves
# Measures the tray app's start and idle memory (the "tray app" rows of the README come from here).
# On a private X server with a real tray host (Xvfb + trayer, tests/gui/with-xvfb.sh) and a private
# Secret Service (tests/support/run-with-keyring.sh), RUNS times each:
#   1. a fresh profile (no accounts), then
#   2. a profile with one account (alice, signed in once through azid-cli against azid-sandbox),
# it launches azid (app/gui/azid-testhooks, the build with the test hooks) with AZID_TEST_HOOKS=1 and
# measures, from just before the launch:
#   - "in tray": the icon's window is embedded and viewable in the tray host (seen over X11);
#   - "answers": the app's event loop answers {"cmd":"state"} on its local socket with trayVisible;
#   - "loaded":  the app has read its accounts (and, for 2., lists alice: the menu has her);
#   start to tray-ready is the later of "in tray" and "answers".
# Then it leaves azid idle for a few seconds, reads VmRSS and VmHWM (/proc/PID/status) and Pss
# (/proc/PID/smaps_rollup), checks that no Qt WebEngine library is mapped (/proc/PID/maps) and that
# azid started no child process, and quits it through its tray menu (exit code 0 expected).
# Prints every run, then median / min / max.
#
# Usage: scripts/bench-app.sh [RUNS]    (default 20; builds build-bench-gui/, Release)
# Environment: AZID_BENCH_GUI_BUILD_DIR (build folder, default build-bench-gui),
#              AZID_BENCH_IDLE_SECONDS (idle time before reading the memory, default 3),
#              AZID_BUILD_JOBS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=${1:-20}
idle=${AZID_BENCH_IDLE_SECONDS:-3}
build=${AZID_BENCH_GUI_BUILD_DIR:-build-bench-gui}
if ! [[ "$runs" =~ ^[1-9][0-9]*$ && "$idle" =~ ^[0-9]+([.][0-9]+)?$ ]]; then
  echo "usage: $0 [RUNS]   (RUNS and AZID_BENCH_IDLE_SECONDS are numbers)" >&2
  exit 2
fi

scripts/install-deps.sh

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAZID_BUILD_GUI=ON -DAZID_TEST_HOOKS=ON >/dev/null
cmake --build "$build" -j "${AZID_BUILD_JOBS:-2}" --target azid_testhooks azid-cli azid-sandbox

measure=$(cat scripts/bench-app-measure.py)

echo "== machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)," \
     "Qt $(dpkg-query -W -f '${Version}' libqt6core6 2>/dev/null || echo '?')"
echo "== load before: $(uptime)"
AZID_ROOT="$root" AZID_BENCH_BIN="$root/$build" AZID_BENCH_PY="$measure" \
  tests/support/run-with-keyring.sh bash tests/gui/with-xvfb.sh bash -c '
  set -euo pipefail
  bin="$AZID_BENCH_BIN"
  runs=$0 idle=$1
  profiles=()
  for i in $(seq "$runs"); do profiles+=("bench-fresh-$i"); done
  python3 -c "$AZID_BENCH_PY" "$bin/app/gui/azid-testhooks" "fresh profile, no account" "$runs" "$idle" 0 "${profiles[@]}"

  state=$(mktemp -d)
  "$bin/tests/sandbox/azid-sandbox" --quiet --state-dir "$state" > "$state/out" &
  sandbox=$!
  trap "kill $sandbox; rm -rf \"$state\"" EXIT
  for _ in $(seq 100); do grep -q AZID_SANDBOX_READY "$state/out" && break; sleep 0.1; done
  url=$(sed -n "s/^AZID_SANDBOX_URL=//p" "$state/out"); ca=$(sed -n "s/^AZID_SANDBOX_CA=//p" "$state/out")
  echo alice-password-1 | "$bin/app/cli/azid-cli" --profile bench-account --authority "$url" --ca-bundle "$ca" \
      --disable-instance-discovery login --flow password --username alice@contoso.test --password-stdin \
      --scope https://management.azure.com/.default >/dev/null
  python3 -c "$AZID_BENCH_PY" "$bin/app/gui/azid-testhooks" "one signed-in account (alice)" "$runs" "$idle" 1 bench-account
' "$runs" "$idle"
echo "== load after: $(uptime)"
