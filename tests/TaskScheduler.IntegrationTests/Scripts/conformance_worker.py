"""The conformance suite's Python worker: Worker/Python/taskscheduler_worker.py with a handler that does what the
payload says, verb for verb as the .NET test worker's ScriptedHandler (tests/TaskScheduler.TestWorker):
echo TEXT completes with TEXT; throw TEXT raises; wait waits for the stop; steps N works N steps of 200 ms, saving a
checkpoint every 5, pausing with its step when preempted.

Run with Debian's /usr/bin/python3 (it sees python3-pika), with the module's folder on PYTHONPATH:
    conformance_worker.py --url URL --prefix P --id ID [--capacity N] [--heartbeat-interval S] [--drain-timeout S]
                          [--tags a,b]
"""

import argparse
import logging

import taskscheduler_worker as ts

log = logging.getLogger("conformance")
STEP = 0.2


def handle(ctx):
    verb, _, argument = ctx.payload.partition(" ")
    try:
        if verb == "echo":
            return argument
        if verb == "throw":
            raise RuntimeError(argument)
        if verb == "wait":
            ctx.stopping.wait()
            ctx.raise_if_stopped()
        if verb == "steps":
            return steps(ctx, int(argument))
        return ts.Failed("unknown script '%s'" % verb)
    except ts.Stopped:
        log.info("Task %s attempt %d: stopped (%s)", ctx.task_id, ctx.attempt, ctx.stop_reason)
        raise


def steps(ctx, count):
    start = int(ctx.checkpoint or "0")
    log.info("Task %s attempt %d on %s starts at step %d", ctx.task_id, ctx.attempt, ctx.worker_id, start)
    step = start
    try:
        while step < count:
            ctx.sleep(STEP)
            ctx.report_progress((step + 1.0) / count, "step %d of %d" % (step + 1, count))
            if (step + 1) % 5 == 0:
                ctx.save_checkpoint(str(step + 1))
            step += 1
    except ts.Stopped:
        if ctx.stop_reason == ts.PREEMPTED:
            log.info("Task %s attempt %d pauses at step %d", ctx.task_id, ctx.attempt, step)
            return ts.Paused(str(step))
        raise
    return "steps %d to %d on %s" % (start, count, ctx.worker_id)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--id", required=True)
    parser.add_argument("--capacity", type=int, default=1)
    parser.add_argument("--heartbeat-interval", type=float, default=1.0)
    parser.add_argument("--drain-timeout", type=float, default=20.0)
    parser.add_argument("--tags", default="")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("pika").setLevel(logging.WARNING)
    ts.Worker(handle, args.id, url=args.url, prefix=args.prefix, capacity=args.capacity,
              heartbeat_interval=args.heartbeat_interval, drain_timeout=args.drain_timeout,
              tags=[t for t in args.tags.split(",") if t]).run()


if __name__ == "__main__":
    main()
