#!/usr/bin/env bash
# Creates least-privilege RabbitMQ accounts for one TaskScheduler system (docs/security.md), on the local broker
# that deploy/broker.sh runs. Prints the AMQP URL of each account it creates.
#
#   deploy/users.sh scheduler              the scheduler: owns the topology under the prefix
#   deploy/users.sh worker ID [ID...]      one account per worker: its own two queues, and publishing its own
#                                          worker.ID.* messages to the events exchange, nothing else
#   deploy/users.sh workers                one account for a pool of workers whose ids are not known in advance
#                                          (compose replicas, a Kubernetes Deployment): any worker's queues, and
#                                          worker.*.* messages; still no submitting, no reading submissions
#   deploy/users.sh producer NAME          a producer: publishes to the submit and cancel exchanges, and may watch
#                                          task events
#
# Environment: PREFIX (default tasks), VHOST (default /), PASSWORD or PASSWORD_FILE (default: a random one per
# account; a password read from a file is not printed), NODE (the broker node, default the local one),
# BROKER_HOST (default 127.0.0.1:5672, used only in the printed URLs). Passwords reach rabbitmqctl on its standard
# input, never on a command line.
set -euo pipefail

prefix="${PREFIX:-tasks}"
vhost="${VHOST:-/}"
host="${BROKER_HOST:-127.0.0.1:5672}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

node_args=()
[ -n "${NODE:-}" ] && node_args=(-n "$NODE")

ctl() { as_root rabbitmqctl "${node_args[@]}" -q "$@" >/dev/null; }

# Regular-expression form of a literal name: the prefix and ids may contain dots and dashes.
re() { printf '%s' "$1" | sed -e 's/[.[\*^$()+?{}|\\-]/\\&/g'; }

valid_name() {
  [[ "$1" =~ ^[A-Za-z0-9_-]{1,64}$ ]] || { echo "users: '$1' must be 1-64 letters, digits, '-' or '_'" >&2; exit 2; }
}

account() { # user password
  if as_root rabbitmqctl "${node_args[@]}" -q list_users | awk '{print $1}' | grep -qxF "$1"; then
    printf '%s' "$2" | ctl change_password "$1"
  else
    printf '%s' "$2" | ctl add_user "$1"
  fi
}

password() {
  if [ -n "${PASSWORD_FILE:-}" ]; then tr -d '\r\n' < "$PASSWORD_FILE"
  else echo "${PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')}"; fi
}

url() { # user password
  local v="$vhost"; [ "$v" = "/" ] && v="%2F"
  if [ -n "${PASSWORD_FILE:-}" ]; then echo "amqp://$1:(the password in $PASSWORD_FILE)@$host/$v"
  else echo "amqp://$1:$2@$host/$v"; fi
}

p="$(re "$prefix")"
kind="${1:-}"
shift || true
case "$kind" in
  scheduler)
    user="$prefix-scheduler"; pass="$(password)"
    account "$user" "$pass"
    # The scheduler owns the system's topology, and MassTransit (status requests) adds exchanges named after
    # message types and a temporary endpoint per bus instance: full rights, so give each system its own VHOST.
    ctl set_permissions -p "$vhost" "$user" ".*" ".*" ".*"
    echo "scheduler: --Broker:Url=$(url "$user" "$pass")"
    ;;
  worker)
    [ $# -ge 1 ] || { echo "usage: deploy/users.sh worker ID [ID...]" >&2; exit 2; }
    for id in "$@"; do
      valid_name "$id"
      user="$prefix-worker-$id"; pass="$(password)"
      account "$user" "$pass"
      own="$p\\.worker\\.$(re "$id")(\\.control)?"
      # configure: declare its own two queues; write: publish to the events exchange; read: consume its own queues.
      ctl set_permissions -p "$vhost" "$user" "^$own\$" "^$p\\.events\$" "^$own\$"
      # And on the events exchange only under its own name: no worker can speak for another.
      ctl set_topic_permissions -p "$vhost" "$user" "$prefix.events" "^worker\\.$(re "$id")\\.[a-z]+\$" "^\$"
      echo "worker $id: --Worker:Id=$id --Broker:Url=$(url "$user" "$pass")"
    done
    ;;
  workers)
    user="$prefix-workers"; pass="$(password)"
    account "$user" "$pass"
    any="$p\\.worker\\.[A-Za-z0-9_-]+(\\.control)?"
    ctl set_permissions -p "$vhost" "$user" "^$any\$" "^$p\\.events\$" "^$any\$"
    ctl set_topic_permissions -p "$vhost" "$user" "$prefix.events" "^worker\\.[A-Za-z0-9_-]+\\.[a-z]+\$" "^\$"
    echo "workers: --Broker:Url=$(url "$user" "$pass")"
    ;;
  producer)
    [ $# -eq 1 ] || { echo "usage: deploy/users.sh producer NAME" >&2; exit 2; }
    valid_name "$1"
    user="$prefix-producer-$1"; pass="$(password)"
    account "$user" "$pass"
    # Publish submissions and cancel requests; to wait for results (tasks submit --wait), a private server-named
    # queue bound to the events exchange.
    ctl set_permissions -p "$vhost" "$user" "^amq\\.gen-.*\$" "^($p\\.submit|$p\\.cancel|amq\\.gen-.*)\$" "^($p\\.events|amq\\.gen-.*)\$"
    echo "producer $1: TASKS_BROKER_URL=$(url "$user" "$pass")"
    ;;
  *)
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
