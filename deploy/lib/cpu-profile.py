"""Runs one `tasks bench` and reports the CPU each process of the system took meanwhile (deploy/profile-bench.sh).

usage: cpu-profile.py NAME OUT_DIR TRACE_SECONDS PROCESSES -- BENCH COMMAND...
PROCESSES is a comma-separated list of role=pid (the scheduler first); the bench client is the command itself.
CPU time is utime + stime from /proc/PID/stat from the bench's start until the scheduler has settled after it (its CPU
below 5% of a core for a second, at most two minutes): the journal writes task documents behind the loop, and a burst's
documents may still be written after the bench ends; they belong to the run that caused them, not to the next one.
The machine's total is from /proc/stat over the same span; rates are the bench's own.
With TRACE_SECONDS > 0, perf (or dotnet-trace) samples the scheduler for that long, from a third of the way into the run.
"""
import json
import os
import shutil
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


def ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of the whole line)
    except (FileNotFoundError, ProcessLookupError):
        return None


def machine_busy():
    with open("/proc/stat") as f:
        cpu = [int(v) for v in f.readline().split()[1:]]
    return sum(cpu) - cpu[3] - cpu[4]  # everything but idle and iowait


def settle(pid, quiet=0.05, limit=120.0):
    """Seconds until the scheduler's CPU over one second is below `quiet` seconds: work it put off is then done."""
    began = time.monotonic()
    last = ticks(pid)
    while time.monotonic() - began < limit:
        time.sleep(1.0)
        now = ticks(pid)
        if now is None or last is None or (now - last) / TICK < quiet:
            break
        last = now
    return time.monotonic() - began


def start_trace(pid, seconds, path):
    """CPU samples of the scheduler: perf (kernel and JIT-compiled frames, with DOTNET_PerfMapEnabled=1), else
    dotnet-trace's thread-time samples (managed frames, waiting included)."""
    log = open(f"{path}.trace.log", "w")
    if shutil.which("perf"):
        return subprocess.Popen(["perf", "record", "-F", "999", "-g", "-p", pid, "-o", f"{path}.perf.data", "--", "sleep", str(seconds)],
                                stdout=subprocess.DEVNULL, stderr=log)
    if shutil.which("dotnet-trace"):
        return subprocess.Popen(["dotnet-trace", "collect", "-p", pid, "--profile", "dotnet-sampled-thread-time",
                                 "--duration", f"00:00:00:{seconds:02d}", "-o", f"{path}.scheduler.nettrace"],
                                stdout=subprocess.DEVNULL, stderr=log)
    return None


def main():
    name, out, trace_seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    processes = [p.split("=") for p in sys.argv[4].split(",") if p]
    command = sys.argv[sys.argv.index("--") + 1:]
    load = open("/proc/loadavg").read().split()[0]

    start = {role: ticks(pid) for role, pid in processes}
    busy0, t0 = machine_busy(), time.monotonic()
    bench = subprocess.Popen(command, stdout=open(f"{out}/{name}.json", "w"), stderr=open(f"{out}/{name}.log", "w"))
    bench_ticks, tracer = 0, None
    while bench.poll() is None:
        now = ticks(bench.pid)
        bench_ticks = now if now is not None else bench_ticks
        elapsed = time.monotonic() - t0
        if trace_seconds > 0 and tracer is None and elapsed > 5:
            tracer = start_trace(processes[0][1], int(trace_seconds), f"{out}/{name}")
        time.sleep(0.2)
    wall = time.monotonic() - t0
    settled = settle(processes[0][1])
    span = time.monotonic() - t0
    busy = machine_busy() - busy0
    end = {role: ticks(pid) for role, pid in processes}
    if tracer is not None:
        tracer.wait()

    report = json.load(open(f"{out}/{name}.json"))
    done = report["tasks"]["completed"]
    rows = [(role, (end[role] - start[role]) / TICK) for role, _ in processes if start[role] is not None and end[role] is not None]
    rows.append(("bench client", bench_ticks / TICK))
    ours = sum(seconds for _, seconds in rows)
    rows.append(("everything else on the machine", busy / TICK - ours))
    rows.append(("idle", span * CORES - busy / TICK))

    lat = report["latencyMs"]["submitToStart"] or {}
    print(f"{name}: {done} tasks completed in {wall:.1f} s ({report['throughput']['completedPerSecond']:.0f}/s), "
          f"submit-to-start p50 {lat.get('p50', 0):.1f} ms p99 {lat.get('p99', 0):.1f} ms, load average {load} at the start; "
          f"the scheduler settled {settled:.1f} s after the bench (CPU counted until then)")
    print(f"  {'process':<32} {'CPU s':>8} {'CPU s per 1,000 tasks':>22} {'share of the ' + str(CORES) + ' cores':>20}")
    for role, seconds in rows:
        per = f"{seconds * 1000 / done:.3f}" if done and role != "idle" else ""
        print(f"  {role:<32} {seconds:>8.1f} {per:>22} {100 * seconds / (span * CORES):>19.1f}%")
    for stage in report.get("stageLatencyMs", []):
        print(f"  stage {stage['stage']:<14} p50 {stage['p50']:>8.2f}  p90 {stage['p90']:>8.2f}  p99 {stage['p99']:>8.2f} ms  ({stage['count']})")
    json.dump({"name": name, "tasks": done, "wallSeconds": wall, "settleSeconds": settled, "load": load, "cpuSeconds": dict(rows)},
              open(f"{out}/{name}.cpu.json", "w"), indent=1)


if __name__ == "__main__":
    main()
