#!/usr/bin/env bash
# Installs what is missing, builds Azid, and runs every test through CTest: first the normal build
# (warnings as errors), then the unit and integration tests again under ASan and UBSan, then a short
# run of each fuzz target (clang, libFuzzer; scripts/fuzz.sh runs them longer).
# Each test starts what it needs itself (azid-sandbox, D-Bus with gnome-keyring, Xvfb, Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/npm-deps.sh

scripts/build.sh ci
echo "== tests (build-ci)"
ctest --test-dir build-ci --output-on-failure --timeout 900 -j 2

scripts/build.sh sanitize
echo "== tests under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions="$(pwd)/tests/lsan.supp":print_suppressions=0 \
  ctest --test-dir build-asan --output-on-failure --timeout 900 -j 2 -L 'unit|integration'

scripts/fuzz.sh --build-only
echo "== fuzz targets, ${AZID_FUZZ_SECONDS:-10} s each over their seed corpus (build-fuzz)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-fuzz --output-on-failure --timeout 300 -j 2 -L fuzz
