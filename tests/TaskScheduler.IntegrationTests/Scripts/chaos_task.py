# The chaos suite's task for the command handler, like the simulated handler's: sleeps for a time derived from a
# hash of the payload (the same payload always runs as long), then prints a result. SIGTERM (cancel, preemption,
# a stopping worker) ends it at once. Its one argument is the test's directory: should it wake up to find that its
# worker is gone (it was not killed with it), it leaves a file there that fails the test.
import hashlib
import os
import signal
import sys
import time

signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
worker = os.getppid()
payload = sys.stdin.buffer.read()
digest = hashlib.sha256(payload).digest()
milliseconds = 50 + int.from_bytes(digest[:8], "little") % 451
time.sleep(milliseconds / 1000)
if os.getppid() != worker:
    with open(os.path.join(sys.argv[1], f"orphan-{os.getpid()}"), "w") as f:
        f.write(os.environ.get("TASK_ID", ""))
print(f"slept {milliseconds} ms for {digest[:4].hex()}", end="")
