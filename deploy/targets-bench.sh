#!/usr/bin/env bash
# Issue 16's six targets in one sitting, two builds compared: BEFORE and AFTER (checkouts already built with
# `dotnet build -c Release`; AFTER is this checkout by default). Every run alternates before, after, before, ...,
# RUNS of each (default 3). The result is a markdown table (each run's figures with the load average at its start,
# the medians, the ratio to the broker's one-hop rate measured in the same run), printed and written to
# .run/targets/TIME/targets.md beside every raw `tasks bench` report (JSON), the commands and the systems' logs.
#
#   BEFORE=../before deploy/targets-bench.sh                                  all six targets, three runs each
#   BEFORE=../before TARGETS="1 2 3 6" deploy/targets-bench.sh                 a part of the sitting
#   BEFORE=../before RUNS=1 DURATION=5s WARMUP=2000 deploy/targets-bench.sh   a quick check that it all runs
#
# Targets 1, 2, 3, 4 and 6 run on two systems side by side (before on PORT, default 5401, after on PORT+1), each a
# scheduler on a fresh journal and WORKERS (10) worker processes of capacity 10, started with deploy/start.sh's
# arguments from a copy of its checkout's binaries (neither checkout is built or written to during the sitting),
# then warmed up with WARMUP (20,000) tasks. Target 4's Celery runs once both are stopped (deploy/celery-bench).
# Target 5 restarts backlogs filled beforehand with deploy/backlog-bench.sh, one per build, named by BACKLOG_BEFORE
# and BACKLOG_AFTER (default PREFIX-backlog-before and PREFIX-backlog-after), on PORT+2 (docs/benchmarks.md).
#
# Durations: T1_DURATION (30s), T2_DURATION (target 1's), T3_DURATION (20s), T4_DURATION (20s), T6_DURATION (60s);
# DURATION sets every one not given. RATE: target 3's open-loop rate (default: half of target 1's after median,
# so without target 1 in the sitting RATE is needed). PREFIX (targets): the systems' broker prefixes start with it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
before="$(cd "${BEFORE:?BEFORE=the checkout to compare against, built with dotnet build -c Release}" && pwd)"
after="$(cd "${AFTER:-$root}" && pwd)"
targets=" ${TARGETS:-1 2 3 4 5 6} "
runs="${RUNS:-3}"
prefix="${PREFIX:-targets}"
port="${PORT:-5401}"
workers="${WORKERS:-10}"
warmup="${WARMUP:-20000}"
t1_duration="${T1_DURATION:-${DURATION:-30s}}"
t2_duration="${T2_DURATION:-$t1_duration}"
t3_duration="${T3_DURATION:-${DURATION:-20s}}"
t4_duration="${T4_DURATION:-${DURATION:-20s}}"
t6_duration="${T6_DURATION:-${DURATION:-60s}}"
out="$root/.run/targets/$(date -u +%Y%m%d-%H%M%S)"
table_py="$root/deploy/lib/targets-table.py"
mkdir -p "$out"

selected() { [[ $targets == *" $1 "* ]]; }
say() { echo "targets: $*" >&2; }
load() { cut -d' ' -f1 /proc/loadavg; }
checkout() { if [ "$1" = before ]; then echo "$before"; else echo "$after"; fi; }
backlog() { local name="BACKLOG_${1^^}"; echo "${!name:-$prefix-backlog-$1}"; }
# --no-optional-locks: git status would otherwise refresh the checkout's index, and the checkouts are not written to.
describe() {
  echo "$(git -C "$1" rev-parse --short HEAD)$(git -C "$1" --no-optional-locks status --porcelain --untracked-files=no \
    | grep -q . && echo ' (with uncommitted changes)')"
}
table() { python3 "$table_py" "$out" >"$out/targets.md" || say "the table could not be made; the raw reports are kept"; }
# One line per run: target, build, run, load average at its start, exit code, raw output, command.
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$out/runs.tsv"; }

if selected 3 && ! selected 1 && [ -z "${RATE:-}" ]; then
  echo "targets: target 3 runs at half of target 1's after median; without target 1 in the sitting, give RATE" >&2
  exit 2
fi
printf 'before\t%s\nafter\t%s\nstarted\t%s\nload\t%s\nruns\t%s\n' "$(describe "$before")" "$(describe "$after")" \
  "$(date -u '+%Y-%m-%d %H:%M')" "$(load)" "$runs" >"$out/sitting.tsv"
: >"$out/runs.tsv"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

declare -A url
# A system as deploy/start.sh starts it (the same arguments) from a copy of a checkout's binaries, in
# .run/PREFIX-SIDE: the scheduler on a fresh journal and the worker processes.
start_system() {
  local side=$1 sys="$root/.run/$prefix-$1"
  url[$side]="http://127.0.0.1:$2"
  rm -rf "$sys" && mkdir -p "$sys/bin"
  for part in Scheduler Worker Cli; do cp -r "$(checkout "$side")/$part/bin/Release/net10.0" "$sys/bin/$part"; done
  dotnet "$sys/bin/Scheduler/TaskScheduler.Scheduler.dll" --urls "${url[$side]}" --Journal:Path="$sys/journal.db" \
    --Broker:Prefix="$prefix-$side" >"$out/$side-scheduler.log" 2>&1 &
  pids+=($!)
  for i in $(seq 1 "$workers"); do
    dotnet "$sys/bin/Worker/TaskScheduler.Worker.dll" --Broker:Prefix="$prefix-$side" --Worker:Id="worker-$i" \
      --Worker:Capacity=10 --Worker:FailureRate=0 >"$out/$side-worker-$i.log" 2>&1 &
    pids+=($!)
  done
}

until_workers_joined() {
  local deadline=$((SECONDS + 600))
  until [ "$(curl -fsS "${url[$1]}/api/workers" 2>/dev/null | grep -o '"id":' | wc -l)" -ge "$workers" ]; do
    [ $SECONDS -lt $deadline ] || { say "the $1 system did not come up in 10 min; see $out/$1-*.log"; exit 1; }
    sleep 0.5
  done
}

stop_systems() {
  cleanup
  pids=()
}

tasks() { dotnet "$root/.run/$prefix-$1/bin/Cli/tasks.dll" --prefix "$prefix-$1" --scheduler "${url[$1]}" "${@:2}"; }

# bench TARGET SIDE RUN ARGS...: one `tasks bench` run, its JSON report kept as tTARGET-SIDE-RUN.json.
bench() {
  local t=$1 side=$2 i=$3 file="t$1-$2-$3.json" rc=0 at
  shift 3
  at=$(load)
  say "target $t, $side, run $i of $runs (load average $at): tasks bench $*"
  tasks "$side" bench "$@" --json >"$out/$file" 2>"$out/${file%.json}.err" || rc=$?
  record "$t" "$side" "$i" "$at" "$rc" "$file" "tasks bench $*"
}

# each TARGET SIDES ARGS...: RUNS runs of each side, alternating; the table is rewritten after each target, so a
# sitting cut short keeps what it measured.
each() {
  local t=$1 sides=$2
  shift 2
  for i in $(seq 1 "$runs"); do
    for side in $sides; do bench "$t" "$side" "$i" "$@"; done
  done
  table
}

say "before $(describe "$before"), after $(describe "$after"); raw reports in ${out#"$root/"}"
"$root/deploy/broker.sh"   # reuses the broker that is running

if selected 1 || selected 2 || selected 3 || selected 4 || selected 6; then
  start_system before "$port"
  start_system after $((port + 1))
  for side in before after; do
    until_workers_joined "$side"
    say "warming the $side system up with $warmup tasks"
    tasks "$side" bench --tasks "$warmup" --run-time 0ms --ceiling 0 --json >"$out/warm-up-$side.json" 2>&1 || true
  done
fi

if selected 1; then each 1 "before after" --duration "$t1_duration" --run-time 0ms; fi
if selected 2; then
  sides=""
  for side in before after; do
    if tasks "$side" bench --help 2>/dev/null | grep -q -- '--batch'; then sides="$sides $side"
    else record 2 "$side" - - n/a - "its tasks bench has no --batch"; fi
  done
  each 2 "$sides" --duration "$t2_duration" --run-time 0ms --batch 100
fi
if selected 3; then
  rate="${RATE:-$(python3 "$table_py" --half-t1-after "$out")}"
  [ -n "$rate" ] || { say "target 3: no target-1 after median to take half of (give RATE)"; exit 1; }
  each 3 "before after" --duration "$t3_duration" --rate "$rate" --run-time 0ms
fi
if selected 4; then
  each 4 "before after" --duration "$t4_duration" --payload-bytes 1048576 --max-outstanding 300 --run-time 0ms
fi
if selected 6; then
  each 6 "before after" --duration "$t6_duration" --run-time 1ms..5s --max-outstanding 400
fi
stop_systems

if selected 4; then
  celery_seconds="${t4_duration%s}"
  if ! dpkg -s python3-celery >/dev/null 2>&1; then
    echo "Celery skipped: python3-celery is not installed (apt-get install python3-celery)" >"$out/t4-celery.txt"
    record 4 celery - "$(load)" n/a t4-celery.txt "Celery skipped: python3-celery is not installed"
  elif ! [[ $celery_seconds =~ ^[0-9]+$ ]]; then
    echo "Celery skipped: T4_DURATION ($t4_duration) is not whole seconds" >"$out/t4-celery.txt"
    record 4 celery - "$(load)" n/a t4-celery.txt "Celery skipped: T4_DURATION is not whole seconds"
  else
    say "target 4: Celery, both systems stopped, $runs runs"
    at=$(load) rc=0
    CELERY_QUEUE="$prefix-celery" RUNS="$runs" DURATION_SECONDS="$celery_seconds" \
      "$root/deploy/celery-bench/run.sh" >"$out/t4-celery.txt" 2>&1 || rc=$?
    record 4 celery - "$at" "$rc" t4-celery.txt "RUNS=$runs DURATION_SECONDS=$celery_seconds deploy/celery-bench/run.sh"
  fi
  table
fi

if selected 5; then
  for side in before after; do
    if [ -f "$root/.run/$(backlog "$side")/journal.db" ]; then
      # The working set right after the fill, as deploy/backlog-bench.sh logged it.
      grep 'accepted' "$root/.run/$(backlog "$side")/backlog.log" | tail -1 >"$out/t5-$side-fill.txt" || true
    else
      say "target 5: no backlog for $side in .run/$(backlog "$side"); fill it first (docs/benchmarks.md)"
      record 5 "$side" - - n/a - "no backlog in .run/$(backlog "$side")"
    fi
  done
  for i in $(seq 1 "$runs"); do
    for side in before after; do
      [ -e "$out/t5-$side-fill.txt" ] || continue
      at=$(load) rc=0
      say "target 5, $side, restart $i of $runs (load average $at)"
      BUILD="$(checkout "$side")" PREFIX="$(backlog "$side")" SCHEDULER_URL="http://127.0.0.1:$((port + 2))" FILL=0 RESTARTS=1 \
        "$root/deploy/backlog-bench.sh" >"$out/t5-$side-$i.txt" 2>&1 || rc=$?
      record 5 "$side" "$i" "$at" "$rc" "t5-$side-$i.txt" "FILL=0 RESTARTS=1 deploy/backlog-bench.sh"
    done
  done
fi

table
cat "$out/targets.md"
