#!/usr/bin/env bash
# Checks the deployment files (deploy/compose, deploy/k8s, the Dockerfiles) without a Docker engine or a
# Kubernetes cluster: schemas, Kubernetes types, RabbitMQ's own configuration schema, and cross-file figures.
# Needs Node.js (installed with apt-get when missing) and rabbitmq-server's schema files (deploy/broker.sh).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/validate" && pwd)"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "validate: installing nodejs and npm with apt-get" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi

# The pinned packages of package-lock.json, installed again only when the lock file changed.
if [ ! -f "$here/node_modules/.package-lock.json" ] || ! cmp -s "$here/package-lock.json" "$here/node_modules/.lock-installed"; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$here/package-lock.json" "$here/node_modules/.lock-installed"
fi

node "$here/validate.mjs"
