# The command handler's test program: what it does depends on the payload's first word.
import hashlib
import os
import sys
import time

payload = sys.stdin.buffer.read().decode("utf-8")
verb, _, rest = payload.partition(" ")
if verb == "fail":
    print("progress: 0.5 half way", file=sys.stderr)
    print(f"it broke: {rest}", file=sys.stderr)
    sys.exit(3)
elif verb == "sleep":
    # rest is a directory: say which process we are, then sleep until stopped.
    with open(os.path.join(rest, os.environ["TASK_ID"] + ".pid"), "w") as f:
        f.write(str(os.getpid()))
    print("progress: 0.1 sleeping", file=sys.stderr, flush=True)
    time.sleep(600)
elif verb == "sha256":
    # What reached the handler, byte for byte, in 64 characters (a 1 MiB payload's echo would be a 1 MiB result).
    print(hashlib.sha256(payload.encode("utf-8")).hexdigest(), end="")
elif verb == "env":
    print(os.environ["TASK_ID"], os.environ["TASK_ATTEMPT"], os.environ["TASK_PRIORITY"], os.environ.get("TASK_CHECKPOINT", "-"), end="")
else:
    sys.stdout.buffer.write(payload.encode("utf-8"))
