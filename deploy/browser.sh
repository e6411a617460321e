#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed: the dashboard's browser test drives it with Playwright
# (the test uses /usr/bin/chromium; Playwright never downloads a browser of its own here).
set -euo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ ! -x /usr/bin/chromium ]; then
  echo "browser: installing chromium with apt-get" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
