#!/usr/bin/env bash
# Installs what is missing, builds Azid and starts it: the tray app `azid` on a desktop session.
# Without a display (an SSH session, a container) it shows azid-cli instead: its help, then a
# sign-in against azid-sandbox (a local Entra-compatible authority, so no tenant is needed) in a
# private keyring, and a token for a script.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/install-deps.sh
scripts/build.sh release

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x build/app/gui/azid ]; then
  echo "Starting azid: it lives in the system tray (Add account… signs in; build/app/gui/azid --show opens its window)."
  exec build/app/gui/azid
fi

echo "No display: showing azid-cli instead."
build/app/cli/azid-cli --help
echo
echo "== A walk-through against azid-sandbox, in a private keyring that is thrown away afterwards"
AZID_ROOT="$root" tests/support/run-with-keyring.sh bash -c '
  set -euo pipefail
  bin="$AZID_ROOT/build"
  state=$(mktemp -d)
  "$bin/tests/sandbox/azid-sandbox" --quiet --auto-approve --device-interval 1 --state-dir "$state" > "$state/out" &
  sandbox=$!
  trap "kill $sandbox; rm -rf \"$state\"" EXIT
  for _ in $(seq 100); do grep -q AZID_SANDBOX_READY "$state/out" && break; sleep 0.1; done
  url=$(sed -n "s/^AZID_SANDBOX_URL=//p" "$state/out"); ca=$(sed -n "s/^AZID_SANDBOX_CA=//p" "$state/out")
  cli="$bin/app/cli/azid-cli"
  show() { printf "\n\$ %s\n" "$*" | sed "s|$bin/app/cli/||; s|$state|\$SANDBOX_STATE|g"; "$@"; }
  echo "azid-sandbox listens at $url (test CA: $ca)"
  echo alice-password-1 > "$state/password"
  show "$cli" --authority "$url" --ca-bundle "$ca" --disable-instance-discovery login --flow password \
       --username alice@contoso.test --password-stdin --scope https://management.azure.com/.default < "$state/password"
  show "$cli" --output table accounts list
  show "$cli" token --scope https://management.azure.com/.default
  show "$cli" --output raw token --scope https://graph.microsoft.com/.default
'
echo
echo "Done. For a real tenant: build/app/cli/azid-cli login --flow browser (see README.md)."
