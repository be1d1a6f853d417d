#!/usr/bin/env bash
# Configures and builds Azid. Usage: scripts/build.sh [release|ci|sanitize|package]
#   release   optimised build of everything (the default), in build/
#   package   what the packages hold (scripts/package.sh): optimised, in build/, without the tests
#             and without the tray app's test hooks
#   ci        warnings as errors, everything, in build-ci/
#   sanitize  AddressSanitizer + UndefinedBehaviorSanitizer, library and tests without the GUI, in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-release}
case "$mode" in
  release)  dir=build      ; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DAZID_BUILD_TESTS=ON -DAZID_TEST_HOOKS=ON) ;;
  package)  dir=build      ; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DAZID_BUILD_TESTS=OFF -DAZID_TEST_HOOKS=OFF) ;;
  ci)       dir=build-ci   ; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DAZID_WARNINGS_AS_ERRORS=ON -DAZID_BUILD_BENCHMARKS=ON) ;;
  sanitize) dir=build-asan ; args=(-DCMAKE_BUILD_TYPE=Debug -DAZID_WARNINGS_AS_ERRORS=ON -DAZID_SANITIZE=ON -DAZID_BUILD_GUI=OFF) ;;
  *) echo "usage: $0 [release|ci|sanitize|package]" >&2; exit 2 ;;
esac

cmake -S . -B "$dir" -G Ninja "${args[@]}" >/dev/null
cmake --build "$dir" -j "${AZID_BUILD_JOBS:-2}"
echo "$dir"
