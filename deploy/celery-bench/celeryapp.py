"""The Celery side of the 1 MiB comparison (issue 16, target 4): one task that does nothing with its payload.

Durable queue, persistent messages, publisher confirms, acks_late with a prefetch of one per process: the same
guarantees the scheduler gives (a task is acknowledged only once it ran). Results travel back over the broker (rpc://),
as the scheduler's completion events do.
"""
import os

from celery import Celery

app = Celery("bench", broker=os.environ.get("CELERY_BROKER", "amqp://guest:guest@127.0.0.1:5672//"), backend="rpc://")
app.conf.update(
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_default_queue=os.environ.get("CELERY_QUEUE", "celery-bench"),
    broker_transport_options={"confirm_publish": True},
    worker_hijack_root_logger=False,
)


@app.task(name="bench.work")
def work(payload):
    # Zero-length work, as --run-time 0ms asks of the scheduler's simulated worker.
    return len(payload)
