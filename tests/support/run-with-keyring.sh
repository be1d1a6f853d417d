#!/usr/bin/env bash
# shellcheck disable=SC2016  # the inner scripts expand their variables themselves
# Runs a command against a private Secret Service, never the user's own keyring: a fresh HOME and
# XDG_DATA_HOME (so gnome-keyring makes a new login keyring with our password; an existing one with
# another password would stay locked), a private D-Bus session bus (dbus-run-session), and
# gnome-keyring-daemon --unlock --components=secrets on it.
#
#   run-with-keyring.sh [--locked | --no-keyring | --deny-secrets] COMMAND [ARGS...]
#
# --locked: the login keyring is made with one password and the daemon then started with another, so
# the collection stays locked and writes fail, as after a login whose password did not match.
# --no-keyring: the bus has no Secret Service and cannot start one; the command may start
# gnome-keyring-daemon itself (as a session does late), with AZID_TEST_KEYRING_PASSWORD.
# --deny-secrets: the daemon runs, but the bus's policy refuses every call to org.freedesktop.secrets.
#
# The command sees AZID_TEST_KEYRING=unlocked|locked|none|denied, AZID_TEST_SECRET_SERVICE_PID (the
# daemon's pid, when one runs) and AZID_TEST_KEYRING_PASSWORD (the login keyring's own password: for
# --locked, restarting the daemon with it unlocks the keyring).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mode=unlocked
bus_config=()
case "${1:-}" in
    --locked) mode=locked; shift ;;
    --no-keyring) mode=none; bus_config=(--config-file="$here/../keychain/session-bus-without-secrets.conf"); shift ;;
    --deny-secrets) mode=denied; bus_config=(--config-file="$here/../keychain/session-bus-denying-secrets.conf"); shift ;;
esac
if [[ $# -lt 1 ]]; then
    echo "usage: $0 [--locked | --no-keyring | --deny-secrets] COMMAND [ARGS...]" >&2
    exit 2
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/azid-keyring.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

export HOME="$scratch/home" XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config"
export XDG_CACHE_HOME="$scratch/cache" XDG_RUNTIME_DIR="$scratch/run"
mkdir -m 0700 "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
# Nothing of a desktop session may leak in: QtKeychain would choose KWallet under KDE, and libsecret
# would talk to the user's own bus.
unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY XDG_CURRENT_DESKTOP DESKTOP_SESSION \
      KDE_FULL_SESSION KDE_SESSION_VERSION GNOME_DESKTOP_SESSION_ID GNOME_KEYRING_CONTROL SSH_AUTH_SOCK
export AZID_TEST_KEYRING="$mode"

# Inside a bus: starts the daemon with the password $1 and prints its pid once it serves
# org.freedesktop.secrets (it takes the name a moment after --daemonize returns).
start_keyring='
start_keyring() {
    printf %s "$1" | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null
    local pid
    for _ in $(seq 200); do
        pid=$(dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus / \
                  org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null |
              awk "{ print \$2 }") || true
        if [[ -n "$pid" ]]; then
            echo "$pid"
            return 0
        fi
        sleep 0.05
    done
    echo "run-with-keyring: gnome-keyring-daemon did not take org.freedesktop.secrets" >&2
    return 1
}
stop_keyring() {
    kill "$1" 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.05
    done
}
'

if [[ "$mode" == locked ]]; then
    dbus-run-session -- bash -c "set -euo pipefail; $start_keyring"'
        pid=$(start_keyring first-password)
        stop_keyring "$pid"'
fi

password=azid-test-password
export AZID_TEST_KEYRING_PASSWORD="$password"
if [[ "$mode" == locked ]]; then
    password=another-password
    export AZID_TEST_KEYRING_PASSWORD=first-password
fi
status=0
if [[ "$mode" == none ]]; then
    # The command starts a daemon itself, if it wants one; whatever it started is stopped afterwards.
    dbus-run-session "${bus_config[@]}" -- bash -c "set -euo pipefail; $start_keyring"'
        status=0
        "$@" || status=$?
        pid=$(dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus / \
                  org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null |
              awk "{ print \$2 }") || true
        [[ -n "$pid" ]] && stop_keyring "$pid"
        exit "$status"' run-with-keyring "$@" || status=$?
    exit "$status"
fi
dbus-run-session "${bus_config[@]}" -- bash -c "set -euo pipefail; $start_keyring"'
    pid=$(start_keyring "$0")
    export AZID_TEST_SECRET_SERVICE_PID="$pid"
    status=0
    "$@" || status=$?
    stop_keyring "$pid"
    exit "$status"' "$password" "$@" || status=$?
exit "$status"
