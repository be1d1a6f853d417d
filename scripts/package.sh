#!/usr/bin/env bash
# Builds Azid (release, in build/) and its Linux packages with CPack, next to the build:
#   build/azid_<version>-1_amd64.deb          install with: sudo apt-get install ./build/azid_*.deb
#   build/azid-<version>-linux-x86_64.tar.gz  relocatable: unpack anywhere, run bin/azid
# Installs what is missing first (scripts/install-deps.sh), like scripts/run.sh and scripts/test.sh.
# The build has no tests and no test hooks in the tray app (scripts/build.sh package).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
dir=$(scripts/build.sh package | tail -n 1)
(cd "$dir" && cpack -G "DEB;TGZ")
ls -1 "$dir"/azid_*.deb "$dir"/azid-*.tar.gz
