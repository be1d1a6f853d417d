#!/usr/bin/env bash
# Runs a command on a private X server with a system tray: Xvfb on a free display, and trayer (a tray
# host) on it, so that QSystemTrayIcon::isSystemTrayAvailable() is true there. Both are stopped when
# the command ends, whatever happens to it.
#
#   with-xvfb.sh COMMAND [ARGS...]
#
# The command sees DISPLAY and AZID_TEST_XVFB_PID. Combine with run-with-keyring.sh (which clears
# DISPLAY, so it goes first): run-with-keyring.sh with-xvfb.sh COMMAND.
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi
for tool in Xvfb trayer; do
    if ! command -v "$tool" >/dev/null; then
        echo "with-xvfb: $tool is missing (Debian: xvfb, trayer; scripts/install-deps.sh installs them)" >&2
        exit 1
    fi
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/azid-xvfb.XXXXXX")
xvfb_pid=""
trayer_pid=""
stop() {
    local pid
    for pid in "$trayer_pid" "$xvfb_pid"; do
        [[ -n "$pid" ]] || continue
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
        kill -9 "$pid" 2>/dev/null || true
    done
    rm -rf "$scratch"
}
trap stop EXIT

# Xvfb picks a free display and writes its number to the descriptor it is given.
exec {display_fd}>"$scratch/display"
Xvfb -displayfd "$display_fd" -screen 0 1280x800x24 -nolisten tcp -noreset >"$scratch/xvfb.log" 2>&1 &
xvfb_pid=$!
exec {display_fd}>&-
for _ in $(seq 200); do
    [[ -s "$scratch/display" ]] && break
    kill -0 "$xvfb_pid" 2>/dev/null || break
    sleep 0.05
done
if [[ ! -s "$scratch/display" ]]; then
    echo "with-xvfb: Xvfb did not start:" >&2
    cat "$scratch/xvfb.log" >&2
    exit 1
fi
export DISPLAY=":$(head -n 1 "$scratch/display")"
export AZID_TEST_XVFB_PID="$xvfb_pid"

trayer --edge top --align right --widthtype request --height 28 --SetDockType true \
    >"$scratch/trayer.log" 2>&1 &
trayer_pid=$!

status=0
"$@" || status=$?
if [[ "$status" -ne 0 && -s "$scratch/trayer.log" ]]; then
    echo "with-xvfb: trayer said:" >&2
    cat "$scratch/trayer.log" >&2
fi
exit "$status"
