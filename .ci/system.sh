#!/usr/bin/env bash
# System packages the full test suite needs on a fresh Debian machine (run as root):
# - Chromium, driven by Playwright for the browser tests;
# - the pango/harfbuzz libraries and fonts WeasyPrint needs to write PDF reports;
# - PostgreSQL, started on loopback, for the production state store;
# - a Java runtime for PySpark in local mode (the crypto trace, and every analysis, on Spark: tests/engines.py).
# Safe to run again. Without it, the tests that need these skip and say why.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fontconfig fonts-dejavu-core postgresql
          default-jre-headless)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
bash "$(dirname "$0")/postgres.sh"
