#!/usr/bin/env python3
"""Renders a sitting of deploy/targets-bench.sh (its folder in .run/targets/) as a markdown table: issue 16's targets,
each run of each build with the load average at its start, the medians, and whether the after build meets the target.

    targets-table.py DIR                  the table
    targets-table.py --half-t1-after DIR  half of target 1's after median (tasks/s), target 3's open-loop rate
"""
import json
import re
import statistics
import sys
from pathlib import Path

TARGETS = {
    "1": "one task per message: completed tasks/s ≥ 0.33 × one-hop messages/s",
    "2": "batches of 100: completed tasks/s ≥ 1.0 × one-hop messages/s",
    "3": "open loop at half of target 1's after median: submit-to-start p50 ≤ 5 ms, p99 ≤ 20 ms",
    "4": "1 MiB payloads: tasks/s ≥ Celery 5 on the same broker, scheduler < 1 GiB",
    "5": "1,000,000 pending in ≤ 512 MiB, restart to first dispatch ≤ 5 s",
    "6": "the simulated handler's utilization (run times 1 ms to 5 s) ≥ 99%",
}
# Both forms of deploy/backlog-bench.sh's restart line: before and after it reported when the backlog was loaded.
RESTART = re.compile(r"first dispatch after (\d+) ms(?:, backlog loaded after (\d+) ms)?; working set 3 s "
                     r"(?:later|after the first dispatch) (\d+) MiB(?:, 3 s after the backlog loaded (\d+) MiB)?")
FILL = re.compile(r"accepted (\d+)(?: in batches of \d+)? in (\d+) ms; working set (\d+) MiB, peak (\d+) MiB")
CELERY = re.compile(r"([\d.]+) tasks/s")


def read_runs(out):
    fields = ("target", "side", "run", "load", "rc", "file", "command")
    lines = (out / "runs.tsv").read_text().splitlines()
    return [dict(zip(fields, line.split("\t"))) for line in lines if line]


def bench_report(out, run):
    try:
        return json.loads((out / run["file"]).read_text())
    except (OSError, ValueError):
        return None


def one_hop_ratio(report):
    """Completed tasks per one-hop message. Before issue 16 the bench printed its ratio to a three-hop ceiling (one
    third of the hop, `ceiling.tasksPerSecond` in its report): that is divided by three to give the same quantity."""
    ceiling, ratio = report.get("ceiling"), report["throughput"].get("completedToCeiling")
    if not ceiling or ratio is None:
        return None
    return ratio / 3 if "tasksPerSecond" in ceiling else ratio


def bench_figures(target, report):
    throughput, start = report["throughput"], (report["latencyMs"].get("submitToStart") or {})
    figures = {"rate": throughput["completedPerSecond"], "ratio": one_hop_ratio(report),
               "hop": (report.get("ceiling") or {}).get("oneHopPerSecond"),
               "unfinished": report["tasks"]["unfinished"]}
    if target == "3":
        figures.update(p50=start.get("p50"), p99=start.get("p99"))
    if target == "4":
        figures["mib"] = (report.get("schedulerMemory") or {}).get("peakDuringRunMiB")
    if target == "6":
        figures["utilization"] = report["workers"].get("utilization")
    return figures


def text_figures(out, run):
    text = (out / run["file"]).read_text() if run["file"] != "-" else ""
    if run["side"] == "celery":
        return [{"rate": float(m.group(1))} for m in CELERY.finditer(text)]
    match = RESTART.search(text)
    if not match:
        return []
    # A build that restores before it dispatches has loaded the backlog by its first dispatch (and its API may answer
    # before then, with no restore progress to read); its memory 3 s later is the memory once loaded.
    ms = int(match.group(1))
    loaded = max(ms, int(match.group(2) or 0))
    return [{"ms": ms, "loaded_ms": loaded, "mib": int(match.group(4) or match.group(3))}]


def number(value, digits=0):
    return "?" if value is None else f"{value:,.{digits}f}"


def cell(target, f):
    if target in ("1", "2", "4"):
        text = f"{number(f['rate'], 1 if target == '4' else 0)} tasks/s, {number(f['ratio'], 3)} of {number(f['hop'])}"
        if target == "4":
            text += f", {number(f['mib'])} MiB"
    elif target == "3":
        text = f"p50 {number(f['p50'], 1)} / p99 {number(f['p99'], 1)} ms, {number(f['rate'])} tasks/s"
    elif target == "5":
        text = f"first dispatch {number(f['ms'])} ms, all loaded {number(f['loaded_ms'])} ms, then {number(f['mib'])} MiB"
    elif target == "6":
        text = f"{number(None if f['utilization'] is None else f['utilization'] * 100, 2)}%, {number(f['rate'], 1)} tasks/s"
    else:
        text = f"{number(f['rate'], 1)} tasks/s"
    if f.get("unfinished"):
        text += f", {f['unfinished']:,} unfinished"
    return text


def median(rows, key):
    values = [f[key] for f in rows if f.get(key) is not None]
    return statistics.median(values) if values else None


def summary(target, rows):
    """The medians of a build's runs (each figure on its own), and whether they meet the target."""
    if not rows:
        return "", None
    m = {key: median(rows, key) for key in rows[0]}
    if target in ("1", "2"):
        goal = 0.33 if target == "1" else 1.0
        return f"**{number(m['rate'])} tasks/s, {number(m['ratio'], 3)}**", m["ratio"] is not None and m["ratio"] >= goal
    if target == "3":
        met = None not in (m["p50"], m["p99"]) and m["p50"] <= 5 and m["p99"] <= 20
        return f"**p50 {number(m['p50'], 1)}, p99 {number(m['p99'], 1)} ms**", met
    if target == "4":
        most = max((f["mib"] for f in rows if f.get("mib") is not None), default=None)
        return f"**{number(m['rate'], 1)} tasks/s, {number(m['ratio'], 3)}**, at most {number(most)} MiB", None
    if target == "5":
        return (f"**{number(m['ms'] / 1000, 2)} s to the first dispatch, {number(m['mib'])} MiB once all loaded**",
                m["ms"] <= 5000 and m["mib"] <= 512)
    if target == "6":
        met = m["utilization"] is not None and m["utilization"] >= 0.99
        return f"**{number(None if m['utilization'] is None else m['utilization'] * 100, 2)}%**", met
    return f"**{number(m['rate'], 1)} tasks/s**", None


def side_cells(out, target, runs):
    """The runs of one build (each with its load average) and their medians."""
    texts, rows = [], []
    for run in runs:
        if run["rc"] == "n/a":
            texts.append(f"n/a: {run['command']}")
            continue
        report = bench_report(out, run) if run["file"].endswith(".json") else None
        found = [bench_figures(target, report)] if report else text_figures(out, run)
        if not found:
            texts.append(f"failed (exit {run['rc']}, `{run['file']}`)")
        loads = re.findall(r"load average ([\d.]+)", (out / run["file"]).read_text()) if run["side"] == "celery" else []
        for k, figures in enumerate(found):
            rows.append(figures)
            texts.append(f"{cell(target, figures)} (load {loads[k] if k < len(loads) else run['load']})")
    text, met = summary(target, rows)
    return " · ".join(texts), text, met, rows


def fill_note(out, side):
    path = out / f"t5-{side}-fill.txt"
    match = FILL.search(path.read_text()) if path.exists() else None
    if not match:
        return "", None
    count, mib, peak = int(match.group(1)), int(match.group(3)), int(match.group(4))
    return f"; after the fill of {count:,}: {mib:,} MiB (peak {peak:,})", count >= 1_000_000 and mib <= 512


def render(out):
    sitting = dict(line.split("\t", 1) for line in (out / "sitting.tsv").read_text().splitlines() if line)
    runs = read_runs(out)
    lines = [
        f"Sitting of {sitting['started']} UTC, {sitting['runs']} run(s) of each build alternating before and after, "
        f"load average {sitting['load']} at the start: before `{sitting['before']}`, after `{sitting['after']}`. "
        "Each run: the figures, the ratio (completed tasks/s over the broker's one-hop messages/s that `tasks bench` "
        "measured just before it) with that one-hop rate, and the load average at its start. Medians are of each "
        f"figure on its own. Raw reports in `.run/targets/{out.name}/`.",
        "",
        "| # | target | command | before (runs) | before, median | after (runs) | after, median | met (after) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    after_rate = {}
    for target in TARGETS:
        mine = [r for r in runs if r["target"] == target]
        if not mine:
            continue
        command = next((r["command"] for r in mine if r["rc"] != "n/a"), mine[0]["command"])
        b_runs, b_median, _, _ = side_cells(out, target, [r for r in mine if r["side"] == "before"])
        a_runs, a_median, met, a_rows = side_cells(out, target, [r for r in mine if r["side"] == "after"])
        if target == "5":
            b_note, _ = fill_note(out, "before")
            a_note, fill_met = fill_note(out, "after")
            b_median, a_median, met = b_median + b_note, a_median + a_note, bool(met and fill_met)
        after_rate[target] = median(a_rows, "rate") if a_rows else None
        celery = [r for r in mine if r["side"] == "celery"]
        c_runs, c_median, _, c_rows = side_cells(out, "celery", celery)
        if target == "4":
            most = max((f["mib"] for f in a_rows if f.get("mib") is not None), default=None)
            c_rate = median(c_rows, "rate") if c_rows else None
            met = None if c_rate is None or after_rate["4"] is None or most is None else after_rate["4"] >= c_rate and most < 1024
        lines.append(f"| {target} | {TARGETS[target]} | `{command}` | {b_runs} | {b_median} | {a_runs} | {a_median} | "
                     f"{'' if met is None else 'yes' if met else 'no'} |")
        if celery:
            lines.append(f"| 4 | Celery 5, prefork × 10, acks_late, same broker, both systems stopped | `{celery[0]['command']}` "
                         f"| | | {c_runs} | {c_median} | |")
    return "\n".join(lines)


def main(argv):
    if len(argv) == 3 and argv[1] == "--half-t1-after":
        out = Path(argv[2])
        rows = [bench_figures("1", report) for run in read_runs(out) if run["target"] == "1" and run["side"] == "after"
                for report in [bench_report(out, run)] if report]
        rate = median(rows, "rate")
        print("" if rate is None else round(rate / 2))
    elif len(argv) == 2:
        print(render(Path(argv[1])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
