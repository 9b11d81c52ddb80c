#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (no browser download by a test tool).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
echo "installing Debian's chromium for the browser tests"
if [ "$(id -u)" = 0 ]; then
  apt-get install -y -qq chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
else
  sudo apt-get install -y -qq chromium >/dev/null
fi
