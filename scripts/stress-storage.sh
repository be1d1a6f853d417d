#!/usr/bin/env bash
# Storage under stress, the long version (CTest runs a short one: ctest -R stress.storage):
#   - two processes writing one token cache 5,000 times each: no update may be lost;
#   - a writer killed with SIGKILL at a random moment, 1,000 times: the cache must always load, no
#     account may be lost and no token may go back.
# Both run against a throwaway keyring on a private D-Bus (tests/support/run-with-keyring.sh), with
# Azid's encrypted cache (key in the keychain); with --all also with azure.identity's libsecret item
# and with the plain-file fallback.
#
#   scripts/stress-storage.sh [--all] [--writes N] [--kills N] [BUILD_DIR]     (BUILD_DIR: build)
set -euo pipefail
cd "$(dirname "$0")/.."

backends=(azid)
writes=5000
kills=1000
build=build
while [[ $# -gt 0 ]]; do
    case "$1" in
        --all) backends=(azid msal-extensions plain); shift ;;
        --writes) writes=$2; shift 2 ;;
        --kills) kills=$2; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) build=$1; shift ;;
    esac
done

if [[ ! -x "$build/tests/stress/azid-cache-stress" ]]; then
    cmake --build "$build" --target azid-cache-stress
fi
stress=$(cd "$build" && pwd)/tests/stress/azid-cache-stress

for backend in "${backends[@]}"; do
    echo "== $backend: 2 writers x $writes writes"
    tests/support/run-with-keyring.sh bash -c \
        'exec "$0" concurrent --dir "$HOME/stress" --backend "$1" --writers 2 --writes "$2"' \
        "$stress" "$backend" "$writes"
    echo "== $backend: $kills writers killed with SIGKILL"
    tests/support/run-with-keyring.sh bash -c \
        'exec "$0" crash --dir "$HOME/stress" --backend "$1" --kills "$2"' \
        "$stress" "$backend" "$kills"
done
