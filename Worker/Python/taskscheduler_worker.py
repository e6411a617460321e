"""A TaskScheduler worker for Python: one file, depending on nothing but pika (Debian's python3-pika 1.2).

It speaks the wire protocol of docs/workers.md, as the .NET worker library does: a handler function runs once per
attempt of a task, on a thread of its own, with a context that gives the payload and the checkpoint to resume
from, takes progress reports and checkpoints, and says why it should stop (cancelled, preempted, draining, timed
out). Heartbeats go out from the connection's own loop, which handler code never runs on.

    import taskscheduler_worker as ts

    def handle(ctx):
        return ctx.payload.upper()          # completed, with a result

    ts.Worker(handle, worker_id="py-1", url="amqp://guest:guest@localhost:5672/").run()

A handler returns a result text (or None), or ts.Completed(result), ts.Failed(error), or, when ctx.stop_reason is
PREEMPTED, ts.Paused(checkpoint). An exception fails the attempt with "Type: message"; an exception raised while the
attempt is being stopped (such as ts.Stopped from ctx.sleep or ctx.raise_if_stopped) pauses or hands back the attempt
with its last saved checkpoint. run() returns after SIGTERM or SIGINT (or stop()), having drained and left.

One file, longer than the project's 400 lines, on purpose: a Python team copies it into its code as it is, with no
package index to install a package of several modules from.
"""

import collections
import datetime
import json
import logging
import os
import re
import signal
import socket
import sys
import threading
import time
import traceback
import uuid

import pika
import pika.exceptions

__all__ = ["Worker", "TaskContext", "Completed", "Failed", "Paused", "Stopped",
           "CANCELLED", "PREEMPTED", "DRAINING", "TIMED_OUT"]

log = logging.getLogger("taskscheduler_worker")

# Why an attempt is asked to stop (TaskContext.stop_reason); None while it is not.
CANCELLED = "cancelled"    # the task was cancelled or this attempt superseded: nothing is reported
PREEMPTED = "preempted"    # a more urgent task needs the slot: return Paused(checkpoint)
DRAINING = "draining"      # the worker is stopping: the attempt is handed back, to resume from its last checkpoint
TIMED_OUT = "timed_out"    # the attempt ran out of time: it fails with "timed out after ..."

MAX_TEXT_BYTES = 1024 * 1024       # payload, result, checkpoint: 1 MiB each as UTF-8
MAX_PROGRESS_MESSAGE = 200
MAX_ERROR_CHARS = 8000
_WORKER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DURATION = re.compile(r"^(-)?(?:(\d+)\.)?(\d+):(\d+):(\d+)(?:\.(\d{1,7}))?$")


class Completed:
    """The task completed; result (at most 1 MiB as UTF-8) goes back to whoever waits for it."""

    def __init__(self, result=None):
        self.result = result


class Failed:
    """The attempt failed with error; the task is retried if it has retries left."""

    def __init__(self, error):
        self.error = error


class Paused:
    """The answer to PREEMPTED (or DRAINING): the next attempt starts from checkpoint."""

    def __init__(self, checkpoint):
        self.checkpoint = checkpoint


class Stopped(Exception):
    """Raised by TaskContext.sleep and raise_if_stopped once the attempt is asked to stop."""


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _time_text(moment):
    return moment.isoformat(timespec="milliseconds")


def format_duration(seconds):
    """A duration as .NET's TimeSpan writes it: [d.]hh:mm:ss.fffffff."""
    ticks = max(0, int(round(seconds * 10_000_000)))
    whole, fraction = divmod(ticks, 10_000_000)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = "%02d:%02d:%02d.%07d" % (hours, minutes, secs, fraction)
    return "%d.%s" % (days, text) if days else text


def parse_duration(text):
    """Seconds from a TimeSpan text ([-][d.]hh:mm:ss[.fffffff]); None when absent or unreadable."""
    match = _DURATION.match(text or "")
    if not match:
        return None
    sign, days, hours, minutes, secs, fraction = match.groups()
    value = int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + int(secs) + int((fraction or "0").ljust(7, "0")) / 1e7
    return -value if sign else value


def describe_duration(seconds):
    """As the .NET worker words a timeout: 500ms, 1.5s, then ISO 8601 from a minute up (PT2M)."""
    if seconds < 1:
        return "%dms" % round(seconds * 1000)
    if seconds < 60:
        return ("%.3f" % seconds).rstrip("0").rstrip(".") + "s"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = "P" + ("%dD" % days if days else "") + "T"
    text += ("%dH" % hours if hours else "") + ("%dM" % minutes if minutes else "")
    text += (("%.7f" % secs).rstrip("0").rstrip(".") + "S") if secs else ""
    return text if text != "PT" else "PT0S"


def _utf8_length(text):
    return len(text.encode("utf-8"))


def _shorten(text, limit):
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def _describe_exception(error):
    kind = type(error)
    name = kind.__qualname__ if kind.__module__ == "builtins" else "%s.%s" % (kind.__module__, kind.__qualname__)
    return "%s: %s" % (name, error)


class TaskContext:
    """One attempt of a task, as its handler sees it."""

    def __init__(self, attempt, worker):
        self._attempt = attempt
        self._worker = worker
        self.task_id = attempt.task_id
        self.attempt = attempt.number            # 1 for the first run; each retry, requeue or resumption is a new one
        self.priority = attempt.order.get("priority", 0)
        self.payload = attempt.order.get("payload", "")
        self.checkpoint = attempt.order.get("checkpoint")   # what an earlier attempt saved or paused with; None first
        self.timeout = attempt.timeout           # seconds this attempt may run; None for no limit
        self.worker_id = worker.worker_id

    @property
    def stop_reason(self):
        """Why the attempt should stop (CANCELLED, PREEMPTED, DRAINING, TIMED_OUT); None while it should not."""
        return self._attempt.stop_reason

    @property
    def stopping(self):
        """A threading.Event set when the attempt is asked to stop: wait on it, or poll it."""
        return self._attempt.stop_event

    def raise_if_stopped(self):
        if self._attempt.stop_event.is_set():
            raise Stopped(self._attempt.stop_reason)

    def sleep(self, seconds):
        """Sleeps, unless the attempt is asked to stop first: then raises Stopped."""
        if self._attempt.stop_event.wait(seconds):
            raise Stopped(self._attempt.stop_reason)

    def report_progress(self, fraction, message=None, remaining=None):
        """How far the attempt is (0 to 1, and a short message); sent with the next heartbeat. remaining, in
        seconds when you know it, keeps the scheduler from preempting a task about to finish."""
        try:
            fraction = min(1.0, max(0.0, float(fraction)))
        except (TypeError, ValueError):
            fraction = 0.0
        if fraction != fraction:
            fraction = 0.0
        if message is not None:
            message = str(message)[:MAX_PROGRESS_MESSAGE]
        now = time.monotonic()
        self._attempt.progress = {"fraction": fraction, "message": message, "at": _time_text(_now())}
        self._attempt.expected_end = None if remaining is None else now + max(0.0, float(remaining))

    def save_checkpoint(self, checkpoint, timeout=60.0):
        """Saves a checkpoint (text, at most 1 MiB as UTF-8): should this attempt be lost, handed back or preempted
        without an answer, the next one starts from it. Returns once the broker has confirmed it."""
        if not isinstance(checkpoint, str):
            raise TypeError("a checkpoint is a str")
        if _utf8_length(checkpoint) > MAX_TEXT_BYTES:
            raise ValueError("a checkpoint is at most %d bytes as UTF-8" % MAX_TEXT_BYTES)
        if self._attempt.over:
            raise RuntimeError("attempt %d of task %s is over; it can no longer save a checkpoint" % (self.attempt, self.task_id))
        message = {"workerId": self.worker_id, "taskId": self.task_id, "attempt": self.attempt,
                   "checkpoint": checkpoint, "at": _time_text(_now())}
        self._worker._call(lambda: self._worker._publish("checkpoint", message, mandatory=True), timeout)
        self._attempt.last_checkpoint = checkpoint


class _Attempt:
    def __init__(self, order, delivery, default_timeout):
        self.order = order
        self.task_id = order["taskId"]
        self.number = order["attempt"]
        self.delivery = delivery
        timeout = parse_duration(order.get("timeout"))
        self.timeout = timeout if timeout is not None and timeout > 0 else default_timeout
        self.received = time.monotonic()
        self.started = None
        self.started_at = None
        self.stop_reason = None
        self.stop_event = threading.Event()
        self.stop_requested_at = None
        self.progress = None
        self.expected_end = None
        self.last_checkpoint = order.get("checkpoint")
        self.over = False
        self.outcome = None            # (returned, thrown) once the handler has returned
        self.abandoned = False
        self.handed_back = False

    def request_stop(self, reason):
        """The first reason stands, except that a cancel overrides any: the scheduler wants none of it."""
        if self.stop_reason is not None and reason != CANCELLED:
            return
        self.stop_reason = reason
        if self.stop_requested_at is None:
            self.stop_requested_at = time.monotonic()
        self.stop_event.set()


class _Delivery:
    """One assignment message: acknowledged on its channel once each of its orders is done with."""

    def __init__(self, channel, tag, orders):
        self.channel = channel
        self.tag = tag
        self.left = orders


class Worker:
    """Joins the scheduler as worker_id, runs handler(ctx) for each attempt assigned, heartbeats, and leaves on stop."""

    def __init__(self, handler, worker_id, url="amqp://guest:guest@localhost:5672/", prefix="tasks", capacity=4,
                 tags=None, heartbeat_interval=1.0, heartbeat_ttl=60.0, queue_expiry=300.0, drain_timeout=30.0,
                 preempt_grace=10.0, default_timeout=None, quorum_queues=False, remember=10_000):
        if not _WORKER_ID.match(worker_id or ""):
            raise ValueError("a worker id is 1 to 64 ASCII letters, digits, '-' or '_'")
        if not 1 <= capacity <= 10:
            raise ValueError("capacity is 1 to 10")
        self.handler = handler
        self.worker_id = worker_id
        self.url = url
        self.prefix = prefix
        self.capacity = capacity
        self.tags = sorted(set(tags)) if tags else None
        self.heartbeat_interval = heartbeat_interval
        self.heartbeat_ttl = heartbeat_ttl
        self.queue_expiry = queue_expiry
        self.drain_timeout = drain_timeout
        self.preempt_grace = preempt_grace
        self.default_timeout = default_timeout
        self.quorum_queues = quorum_queues
        self.events_exchange = prefix + ".events"
        self.queue = "%s.worker.%s" % (prefix, worker_id)
        self.control_queue = self.queue + ".control"
        self.draining = False
        self._running = {}                                   # task id -> _Attempt
        self._handed_back = []                               # attempts stopped by the drain, listed in "left"
        self._finished = collections.OrderedDict()           # (task id, attempt) -> None, the newest last
        self._remember = remember
        self._actions = collections.deque()                  # callables the loop runs, posted from other threads
        self._reports = collections.deque()                  # (attempt, kind, message) waiting to be published
        self._stop_requested = threading.Event()
        self._connection = None
        self._publisher = None
        self._beats = None
        self._consumer = None
        self._consumer_lost = False
        self.term = 0                                        # the highest scheduler term seen (docs/workers.md, "Terms")
        self.refused_orders = 0                              # orders of an older term refused since the start
        self._next_beat = 0.0
        self._next_report_try = 0.0

    # -- life ---------------------------------------------------------------------------------------------------

    def stop(self):
        """Asks run() to drain and leave; safe from any thread and from a signal handler."""
        self._stop_requested.set()

    def run(self, install_signal_handlers=True):
        if install_signal_handlers and threading.current_thread() is threading.main_thread():
            for number in (signal.SIGTERM, signal.SIGINT):
                signal.signal(number, lambda *_: self.stop())
        self._connect()
        self._declare_queues(purge=True)
        self._consume()
        self._publish("joined", {"workerId": self.worker_id, "capacity": self.capacity, "host": socket.gethostname(),
                                 "processId": os.getpid(), "at": _time_text(_now()), "tags": self.tags})
        self._heartbeat()
        log.info("Worker %s joined with capacity %d", self.worker_id, self.capacity)
        while not self._stop_requested.is_set():
            self._turn()
        self._leave()

    def _turn(self, wait=0.05):
        """One round of the loop: broker I/O, posted actions, timers, reports and the heartbeat."""
        try:
            self._connection.process_data_events(time_limit=wait)
            while self._actions:
                self._actions.popleft()()
            self._watch_attempts()
            self._publish_reports()
            if self._consumer_lost or (not self.draining and self._consumer is not None and self._consumer.is_closed):
                self._consume_again()
            if time.monotonic() >= self._next_beat:
                self._heartbeat()
        except (pika.exceptions.AMQPConnectionError, pika.exceptions.ConnectionClosed, pika.exceptions.StreamLostError) as error:
            log.warning("Broker connection lost (%s); reconnecting", error)
            self._reconnect()

    def _connect(self):
        parameters = pika.URLParameters(self.url)
        parameters.client_properties = {"connection_name": "%s worker %s (python)" % (self.prefix, self.worker_id)}
        while True:
            try:
                self._connection = pika.BlockingConnection(parameters)
                break
            except pika.exceptions.AMQPConnectionError as error:
                log.warning("Broker not reachable (%s); retrying in 2 s", error)
                time.sleep(2)
        # The scheduler owns the topology; wait for it to declare the events exchange (a passive declare that
        # fails closes its channel, so each try takes a fresh one).
        while True:
            channel = self._connection.channel()
            try:
                channel.exchange_declare(self.events_exchange, passive=True)
                break
            except pika.exceptions.ChannelClosedByBroker:
                log.warning("Exchange %s does not exist yet; waiting for the scheduler to declare it", self.events_exchange)
                time.sleep(1)
        self._publisher = channel
        self._publisher.confirm_delivery()
        self._beats = self._beats_channel()

    def _reconnect(self):
        try:
            if self._connection is not None and self._connection.is_open:
                self._connection.close()
        except Exception:  # noqa: BLE001 - the connection is being replaced whatever went wrong with it
            pass
        self._consumer = None
        self._connect()
        # No "joined": that would say we hold nothing, and the scheduler would requeue what we run.
        self._declare_queues(purge=False)
        if not self.draining:
            self._consume()
        self._heartbeat()

    def _declare_queues(self, purge):
        arguments = {"x-expires": int(self.queue_expiry * 1000)}
        if self.quorum_queues:
            arguments["x-queue-type"] = "quorum"
        for queue in (self.queue, self.control_queue):
            channel = self._connection.channel()
            try:
                channel.queue_declare(queue, durable=True, exclusive=False, auto_delete=False, arguments=arguments)
            except pika.exceptions.ChannelClosedByBroker as error:
                if error.reply_code != 406:
                    raise
                log.warning("Queue %s exists with other arguments (%s); using it as it is", queue, error.reply_text)
                channel = self._connection.channel()
            if purge:
                purged = channel.queue_purge(queue).method.message_count
                if purged:
                    log.info("Purged %d messages left in %s by a previous process", purged, queue)
            channel.close()

    def _consume(self):
        channel = self._connection.channel()
        channel.basic_qos(prefetch_count=self.capacity, global_qos=False)
        channel.add_on_cancel_callback(self._on_consumer_cancelled)
        channel.basic_consume(self.queue, self._on_assignment, auto_ack=False)
        channel.basic_consume(self.control_queue, self._on_control, auto_ack=True)
        self._consumer = channel
        self._consumer_lost = False

    def _on_consumer_cancelled(self, _frame):
        if not self.draining:
            self._consumer_lost = True

    def _consume_again(self):
        """The broker cancelled our consumer (the scheduler deleted our queues: it declared us dead) or closed our
        channel. Declare the queues and consume again before the next heartbeat, which registers us again."""
        log.warning("Worker %s lost its queue consumer; declaring its queues and consuming again", self.worker_id)
        old = self._consumer
        self._consumer = None
        try:
            if old is not None and old.is_open:
                old.close()
        except pika.exceptions.AMQPError:
            pass
        self._declare_queues(purge=False)
        self._consume()
        self._heartbeat()

    def _leave(self):
        log.info("Worker %s draining %d running tasks", self.worker_id, len(self._running))
        self.draining = True
        if self._consumer is not None and self._consumer.is_open:
            for tag in list(self._consumer.consumer_tags):
                self._consumer.basic_cancel(tag)
        self._heartbeat()
        deadline = time.monotonic() + self.drain_timeout
        while self._running and time.monotonic() < deadline:
            self._turn()
        for attempt in list(self._running.values()):
            attempt.request_stop(DRAINING)
        while self._running or self._reports:
            self._turn()
        handed_back = [{"taskId": a.task_id, "attempt": a.number} for a in self._handed_back]
        self._publish("left", {"workerId": self.worker_id, "handedBack": handed_back, "at": _time_text(_now())})
        log.info("Worker %s left, handing back %d tasks", self.worker_id, len(handed_back))
        self._connection.close()

    # -- what arrives ---------------------------------------------------------------------------------------------

    def _on_assignment(self, channel, method, properties, body):
        try:
            message = json.loads(body)
            if properties.type == "assign-batch":
                orders = [o for o in message.get("tasks") or [] if isinstance(o, dict)]
            else:
                orders = [message] if isinstance(message, dict) else []
            orders = [o for o in orders if isinstance(o.get("payload"), str) and o.get("taskId") and isinstance(o.get("attempt"), int)]
        except (ValueError, AttributeError):
            log.warning("Dropped an unreadable assignment")
            orders = []
        if not orders:
            channel.basic_ack(method.delivery_tag)
            return
        delivery = _Delivery(channel, method.delivery_tag, len(orders))
        for order in orders:
            self._take(order, delivery)

    def _admits(self, order, kind):
        """Learns the order's term; False, counted and logged, when a higher one has been seen (its sender was deposed)."""
        term = order.get("term") or 0
        if not isinstance(term, int) or term < 0:
            term = 0
        if term >= self.term:
            self.term = term
            return True
        self.refused_orders += 1
        log.warning("Refused the %s of task %s attempt %s: it is of term %d, and a scheduler of term %d leads (a deposed "
                    "scheduler sent it)", kind, order.get("taskId"), order.get("attempt"), term, self.term)
        return False

    def _take(self, order, delivery):
        task_id, number = order["taskId"], order["attempt"]
        if not self._admits(order, "assignment"):
            # Removed, not run: the leader that deposed its sender requeues the attempt when our heartbeats omit it.
            self._done_with(delivery)
            return
        if (task_id, number) in self._finished:
            log.info("Task %s attempt %d was redelivered after it finished here; not run again", task_id, number)
            self._done_with(delivery)
            return
        current = self._running.get(task_id)
        if current is not None:
            if current.number == number:
                current.delivery = delivery       # redelivered while we run it: the newer message is the one to ack
                return
            log.info("Task %s: attempt %d supersedes attempt %d", task_id, number, current.number)
            current.request_stop(CANCELLED)
        attempt = _Attempt(order, delivery, self.default_timeout)
        self._running[task_id] = attempt
        thread = threading.Thread(target=self._execute, args=(attempt,), name="task-%s-%d" % (task_id, number), daemon=True)
        attempt.thread = thread
        thread.start()

    def _on_control(self, _channel, _method, properties, body):
        if properties.type == "leads":
            self._on_leads(body)
            return
        try:
            order = json.loads(body)
            task_id, number, reason = order["taskId"], order["attempt"], order.get("reason")
        except (ValueError, KeyError, TypeError):
            log.warning("Dropped an unreadable control message")
            return
        kind = PREEMPTED if properties.type == "preempt" else CANCELLED
        if not self._admits(order, "preempt order" if kind == PREEMPTED else "cancel"):
            return
        attempt = self._running.get(task_id)
        if attempt is None or attempt.number != number:
            return
        log.info("Task %s attempt %d %s by the scheduler: %s", task_id, number,
                 "preempted" if kind == PREEMPTED else "cancelled", reason)
        attempt.request_stop(kind)

    def _on_leads(self, body):
        """A new leader's announcement: from now on, orders of an older term are refused."""
        try:
            term = json.loads(body)["term"]
            if not isinstance(term, int) or term < 0:
                raise TypeError("term")
        except (ValueError, KeyError, TypeError):
            log.warning("Dropped an unreadable control message")
            return
        if term > self.term:
            log.info("A scheduler of term %d leads (term %d before): orders of older terms are refused from now on", term, self.term)
            self.term = term

    # -- running ----------------------------------------------------------------------------------------------------

    def _execute(self, attempt):
        """On the attempt's own thread: runs the handler, then hands its outcome to the loop."""
        attempt.started = time.monotonic()
        attempt.started_at = _now()
        context = TaskContext(attempt, self)
        try:
            returned = self.handler(context)
            outcome = (returned if isinstance(returned, (Completed, Failed, Paused)) else Completed(returned), None)
        except Exception as error:  # noqa: BLE001 - whatever the handler throws is the attempt's failure, never the worker's
            if attempt.stop_reason is None:
                log.warning("Task %s attempt %d: the handler threw\n%s", attempt.task_id, attempt.number, traceback.format_exc())
            outcome = (None, error)
        self._actions.append(lambda: self._handler_ended(attempt, outcome))

    def _watch_attempts(self):
        now = time.monotonic()
        for attempt in list(self._running.values()):
            if attempt.outcome is not None or attempt.started is None:
                continue
            if attempt.stop_reason is None and attempt.timeout is not None and now - attempt.started >= attempt.timeout:
                attempt.request_stop(TIMED_OUT)
            if attempt.stop_requested_at is not None and not attempt.abandoned and now - attempt.stop_requested_at >= self.preempt_grace:
                log.warning("Task %s attempt %d: the handler ignored its stop (%s) for %ss; the slot is freed and whatever "
                            "it still does is not heard", attempt.task_id, attempt.number, attempt.stop_reason, self.preempt_grace)
                attempt.abandoned = True
                self._handler_ended(attempt, (None, None))

    def _handler_ended(self, attempt, outcome):
        if attempt.outcome is not None:
            return                              # given up on already; what it returned now is not heard
        attempt.outcome = outcome
        attempt.over = True
        kind, value = self._decide(attempt, *outcome)
        if kind == "finished":
            outcome_name, error, result = value
            message = {"workerId": self.worker_id, "results": [{
                "workerId": self.worker_id, "taskId": attempt.task_id, "attempt": attempt.number,
                "outcome": outcome_name, "error": error,
                "startedAt": _time_text(attempt.started_at or _now()), "finishedAt": _time_text(_now()),
                "result": result, "startDelayMs": round(max(0.0, ((attempt.started or attempt.received) - attempt.received) * 1000), 3)}]}
            self._remember_finished(attempt)
            self._reports.append((attempt, "results", message))
        elif kind == "paused":
            message = {"workerId": self.worker_id, "taskId": attempt.task_id, "attempt": attempt.number,
                       "checkpoint": value, "at": _time_text(_now())}
            self._remember_finished(attempt)
            self._reports.append((attempt, "preempted", message))
        elif kind == "dropped":
            self._remember_finished(attempt)
            self._done_with(attempt.delivery)
            self._forget(attempt)
        else:
            # Handed back: left unacknowledged and listed in "left"; a newer checkpoint goes first.
            attempt.handed_back = True
            self._handed_back.append(attempt)
            if value is not None and value != attempt.last_checkpoint:
                self._reports.append((attempt, "checkpoint", {"workerId": self.worker_id, "taskId": attempt.task_id,
                                                              "attempt": attempt.number, "checkpoint": value, "at": _time_text(_now())}))
            else:
                self._forget(attempt)
        self._publish_reports()

    def _decide(self, attempt, returned, thrown):
        """What the worker reports, from why the attempt was stopped and how its handler ended (AttemptEnding)."""
        reason = attempt.stop_reason
        if reason == CANCELLED:
            return "dropped", None
        if reason in (DRAINING, PREEMPTED):
            stop = "handed_back" if reason == DRAINING else "paused"
            if isinstance(returned, Completed):
                return self._completed(returned.result)
            if isinstance(returned, Failed):
                return "finished", ("Failed", _shorten(returned.error or "failed", MAX_ERROR_CHARS), None)
            if isinstance(returned, Paused) and returned.checkpoint is not None and _utf8_length(returned.checkpoint) <= MAX_TEXT_BYTES:
                return stop, returned.checkpoint
            return stop, attempt.last_checkpoint
        if reason == TIMED_OUT:
            if isinstance(returned, Completed):
                return self._completed(returned.result)
            return "finished", ("Failed", "timed out after %s" % describe_duration(attempt.timeout or 0), None)
        if thrown is not None:
            return "finished", ("Failed", _shorten(_describe_exception(thrown), MAX_ERROR_CHARS), None)
        if isinstance(returned, Completed):
            return self._completed(returned.result)
        if isinstance(returned, Failed):
            return "finished", ("Failed", _shorten(returned.error or "failed", MAX_ERROR_CHARS), None)
        return "finished", ("Failed", "the handler paused the task without being asked to (only a preempted attempt pauses)", None)

    @staticmethod
    def _completed(result):
        if result is not None and not isinstance(result, str):
            result = str(result)
        if result is not None and _utf8_length(result) > MAX_TEXT_BYTES:
            return "finished", ("Failed", "the result is %d bytes as UTF-8, over the limit of %d; it was not sent"
                                % (_utf8_length(result), MAX_TEXT_BYTES), None)
        return "finished", ("Completed", None, result)

    def _remember_finished(self, attempt):
        self._finished[(attempt.task_id, attempt.number)] = None
        while len(self._finished) > self._remember:
            self._finished.popitem(last=False)

    def _forget(self, attempt):
        if self._running.get(attempt.task_id) is attempt:
            del self._running[attempt.task_id]

    def _done_with(self, delivery):
        delivery.left -= 1
        if delivery.left == 0 and delivery.channel is self._consumer and delivery.channel.is_open:
            delivery.channel.basic_ack(delivery.tag)

    # -- sending ------------------------------------------------------------------------------------------------------

    def _publish_reports(self):
        """Publishes the waiting reports in order; one the broker returns or refuses is tried again a little later."""
        if not self._reports or time.monotonic() < self._next_report_try:
            return
        while self._reports:
            attempt, kind, message = self._reports[0]
            try:
                self._publish(kind, message, mandatory=True)
            except (pika.exceptions.UnroutableError, pika.exceptions.NackError) as error:
                log.warning("Could not publish the %s of task %s (%s); retrying", kind, attempt.task_id, type(error).__name__)
                self._next_report_try = time.monotonic() + 0.5
                return
            self._reports.popleft()
            if kind != "checkpoint":
                self._done_with(attempt.delivery)
            self._forget(attempt)

    def _publish(self, kind, message, mandatory=False):
        """Publishes one event on the confirmed channel; returns once the broker has confirmed it."""
        body = json.dumps({k: v for k, v in message.items() if v is not None or k in ("error", "checkpoint")}).encode("utf-8")
        properties = pika.BasicProperties(content_type="application/json", delivery_mode=2, type=kind)
        self._publisher.basic_publish(self.events_exchange, "worker.%s.%s" % (self.worker_id, kind), body, properties, mandatory=mandatory)

    def _heartbeat(self):
        now = time.monotonic()
        self._next_beat = now + self.heartbeat_interval
        running = []
        # A handed-back attempt is still ours (unacknowledged) until "left" says so: a heartbeat that left it out
        # would have the scheduler requeue it as missing, before and instead of the hand-back.
        held = list(self._running.values()) + [a for a in self._handed_back if self._running.get(a.task_id) is not a]
        for attempt in held:
            entry = {"taskId": attempt.task_id, "attempt": attempt.number}
            if attempt.expected_end is not None:
                entry["remaining"] = format_duration(max(0.0, attempt.expected_end - now))
            if attempt.progress is not None:
                entry["progress"] = attempt.progress
            running.append(entry)
        beat = {"workerId": self.worker_id, "capacity": self.capacity, "running": running, "draining": self.draining,
                "at": _time_text(_now())}
        if self.tags:
            beat["tags"] = self.tags
        if self.term:
            beat["term"] = self.term
        if self.refused_orders:
            beat["refusedOrders"] = self.refused_orders
        properties = pika.BasicProperties(content_type="application/json", delivery_mode=1, type="heartbeat",
                                          expiration=str(int(self.heartbeat_ttl * 1000)))
        try:
            self._beats.basic_publish(self.events_exchange, "worker.%s.heartbeat" % self.worker_id,
                                      json.dumps(beat).encode("utf-8"), properties)
        except pika.exceptions.AMQPChannelError as error:
            # The broker closed the channel (an operator deleted the exchange): beat on a new one next time.
            log.warning("Heartbeat not sent (%s)", error)
            self._beats = self._beats_channel()

    def _beats_channel(self):
        # Confirmed, so that a heartbeat is routed before anything published after it on the other channel: the
        # broker orders messages per channel only, and a heartbeat that overtook "left" would register us again.
        channel = self._connection.channel()
        channel.confirm_delivery()
        return channel

    def _call(self, action, timeout):
        """Runs action on the loop's thread (pika's connection is not thread-safe) and waits for it."""
        done = threading.Event()
        box = {}

        def run():
            try:
                box["value"] = action()
            except Exception as error:  # noqa: BLE001 - handed to the caller's thread
                box["error"] = error
            done.set()

        self._actions.append(run)
        if not done.wait(timeout):
            raise TimeoutError("the worker's connection did not run the action within %ss" % timeout)
        if "error" in box:
            raise box["error"]
        return box.get("value")


def _main():
    """python3 taskscheduler_worker.py module:function --id ID [--url URL] [--prefix P] [--capacity N]"""
    import argparse
    import importlib
    parser = argparse.ArgumentParser(description="Runs a TaskScheduler worker with a handler function.")
    parser.add_argument("handler", help="module:function, the function called with a TaskContext per attempt")
    parser.add_argument("--id", required=True)
    parser.add_argument("--url", default=os.environ.get("RABBITMQ_URL", "amqp://guest:guest@localhost:5672/"))
    parser.add_argument("--prefix", default="tasks")
    parser.add_argument("--capacity", type=int, default=4)
    parser.add_argument("--tags", default="")
    parser.add_argument("--heartbeat-interval", type=float, default=1.0)
    parser.add_argument("--drain-timeout", type=float, default=30.0)
    parser.add_argument("--default-timeout", type=float, default=None)
    args = parser.parse_args()
    module, _, function = args.handler.partition(":")
    sys.path.insert(0, os.getcwd())
    handler = getattr(importlib.import_module(module), function)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("pika").setLevel(logging.WARNING)
    Worker(handler, args.id, url=args.url, prefix=args.prefix, capacity=args.capacity,
           tags=[t for t in args.tags.split(",") if t], heartbeat_interval=args.heartbeat_interval,
           drain_timeout=args.drain_timeout, default_timeout=args.default_timeout).run()


if __name__ == "__main__":
    _main()
