#!/usr/bin/env bash
# Makes sure Debian's Python 3 and python3-pika are installed: the conformance tests run the Python worker module
# (Worker/Python/taskscheduler_worker.py) with /usr/bin/python3, which sees Debian's packages (a pyenv or other
# python3 earlier on PATH may not). pika is the module's only dependency; nothing comes from the Python package index.
set -euo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! /usr/bin/python3 -c 'import pika' 2>/dev/null; then
  echo "python: installing python3-pika with apt-get" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-pika >/dev/null
fi
