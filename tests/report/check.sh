#!/usr/bin/env bash
# Browser check of report.html, beside the test suite (like a benchmark):
# installs Debian's chromium when missing, runs the default scenario, renders
# its report headless, saves a screenshot and checks every image and number.
# Usage: tests/report/check.sh [OUTPUT_DIR]   (default: a fresh temporary folder;
# the screenshot goes beside it, to OUTPUT_DIR-screenshot.png)
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
out="${1:-$(mktemp -d)}"
cargo build --release --quiet
./target/release/viralsim run scenarios/default.toml --out "$out" --quiet --chart-format both
python3 tests/report/check.py "$out" "${out%/}-screenshot.png"
