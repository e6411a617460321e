"""Submits 1 MiB tasks to Celery for DURATION seconds, at most MAX_OUTSTANDING unfinished, then waits for the rest;
prints completed tasks per second over the whole run, tail included (as `tasks bench` counts them)."""
import collections
import os
import sys
import time

from celeryapp import work

duration = float(os.environ.get("DURATION_SECONDS", "20"))
outstanding_max = int(os.environ.get("MAX_OUTSTANDING", "300"))
size = int(os.environ.get("PAYLOAD_BYTES", "1048576"))

payloads = [(str(i % 10) * size) for i in range(10)]
pending = collections.deque()
completed = 0
started = time.monotonic()
submitted = 0
while time.monotonic() - started < duration:
    if len(pending) >= outstanding_max:
        pending.popleft().get(timeout=600)
        completed += 1
        continue
    pending.append(work.apply_async((payloads[submitted % 10],)))
    submitted += 1
while pending:
    pending.popleft().get(timeout=600)
    completed += 1
elapsed = time.monotonic() - started
print(f"celery: {completed} of {submitted} tasks of {size} bytes completed in {elapsed:.1f} s: {completed / elapsed:.1f} tasks/s")
sys.exit(0 if completed == submitted else 1)
