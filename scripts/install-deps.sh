#!/usr/bin/env bash
# Installs the Debian 12 packages Azid needs to build, run and test. Idempotent: when everything is
# present it changes nothing. Runs apt-get as root, through sudo when started by another user.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build ccache pkg-config
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qtkeychain-qt6-dev
  # lupdate and lrelease, for the tray app's translations (resources/translations)
  qt6-l10n-tools
  libssl-dev libsecret-1-dev libqrencode-dev libgtest-dev libbenchmark-dev
  # the tray app: the embedded browser helper (azid-webview) and the SVG plugin for its icons
  qt6-webengine-dev libqt6svg6
  # run and test: Secret Service, X server, tray host, browser, Python's azure.identity
  dbus dbus-x11 gnome-keyring libsecret-tools xvfb xauth trayer
  chromium
  python3 python3-azure python3-msal-extensions python3-gi gir1.2-secret-1
  clang-format
  # the fuzz targets (tests/fuzz, scripts/fuzz.sh): clang and its libFuzzer runtime
  clang libfuzzer-14-dev
  # the tests make their client certificates with the openssl command line
  openssl
  # the developer tools' protocols are tested with the real tools: git (credential helper, a clone
  # over HTTPS through git http-backend) and kubectl (below); PyJWT checks the tokens they send
  git python3-jwt
  # packaging: the .deb (dpkg-shlibdeps, lintian), desktop entry and AppStream checks, PNG icons
  dpkg-dev lintian desktop-file-utils appstream librsvg2-bin
)

# Node.js and npm may come from Debian or be preinstalled with the machine (nodesource's nodejs
# bundles npm and conflicts with Debian's npm package): only install them when the commands are absent.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

# kubectl may be preinstalled with the machine (another package that conflicts with Debian's
# kubernetes-client): only install Debian's when the command is absent.
if ! command -v kubectl >/dev/null; then
  packages+=(kubernetes-client)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages are present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  echo "install-deps: these packages are missing and neither root nor sudo is available: ${missing[*]}" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
