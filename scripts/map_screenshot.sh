#!/usr/bin/env bash
# The map page in headless Chromium, photographed with its markers into docs/images/map.png.
# Runs the browser test that draws it (tests/browser/test_map.py): local tiles, no request leaves the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
EJAN_MAP_SCREENSHOT="$PWD/docs/images/map.png" bash scripts/test.sh -q -p no:randomly \
  "tests/browser/test_map.py::test_the_map_draws_markers_from_the_site_alone_and_is_photographed"
echo "written: docs/images/map.png"
