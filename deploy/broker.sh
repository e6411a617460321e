#!/usr/bin/env bash
# Makes sure a local RabbitMQ with the management plugin is running on loopback.
# Installs Debian's rabbitmq-server with apt-get when it is missing. Safe to run again: it reuses a running broker.
# Prints nothing on success but a line saying where the broker is.
set -euo pipefail

deploy_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v rabbitmq-server >/dev/null 2>&1; then
  echo "broker: installing rabbitmq-server with apt-get" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
fi

# Debian's package tries to start a service; without systemd that start is refused, which is fine: we start it.
export RABBITMQ_CONFIG_FILE="$deploy_dir/rabbitmq/rabbitmq"

if ! as_root rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
  as_root rabbitmq-plugins --offline enable rabbitmq_management >/dev/null
  echo "broker: starting rabbitmq-server" >&2
  as_root env RABBITMQ_CONFIG_FILE="$RABBITMQ_CONFIG_FILE" rabbitmq-server -detached
fi

# -detached returns before the node registers; wait for it to answer, then for its boot to finish.
for _ in $(seq 1 120); do
  as_root rabbitmq-diagnostics -q ping >/dev/null 2>&1 && break
  sleep 1
done
if ! as_root rabbitmqctl await_startup --timeout 120 >/dev/null; then
  echo "broker: RabbitMQ did not start; see /var/log/rabbitmq/" >&2
  exit 1
fi
if ! as_root rabbitmq-plugins is_enabled rabbitmq_management >/dev/null 2>&1; then
  as_root rabbitmq-plugins enable rabbitmq_management >/dev/null
fi

echo "broker: RabbitMQ on amqp://127.0.0.1:5672, management console http://127.0.0.1:15672 (guest/guest)" >&2
