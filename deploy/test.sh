#!/usr/bin/env bash
# Runs every test: starts a local RabbitMQ the same way deploy/start.sh does, installs Debian's Chromium (for the
# dashboard's browser test) and python3-pika (for the Python worker's conformance tests) when they are missing, checks
# the deployment files, then runs the whole NUnit suite (unit tests, and integration tests that start the scheduler
# and workers as real processes on that broker).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

"$root/deploy/broker.sh"
"$root/deploy/browser.sh"
"$root/deploy/python.sh"
"$root/deploy/validate.sh"
export RABBITMQ_URL="${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672/}"

dotnet test "$root/TaskScheduler.sln" -c Release --logger "console;verbosity=normal" "$@"
