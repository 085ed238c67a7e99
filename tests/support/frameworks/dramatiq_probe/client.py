"""Send probe messages through a generated Dramatiq project's broker and read their states.

Run with the project's Python, `-P` (so that this directory is not on sys.path) and
PYTHONPATH=src (the project's copy of the probe), TQGEN_PROBE_MODULE naming the package:
    python -P client.py send NAME COUNT ARGS_JSON QUICK_RETRY  -> a JSON list of message ids
    python -P client.py wait TIMEOUT ID...                     -> {id: {"state", "result"}}
QUICK_RETRY `1` keeps the project's retry bound and shortens only the backoff between attempts
(Retries reads `min_backoff` and `max_backoff` from the message's options first).
"""

import importlib
import json
import os
import sys
import time
from typing import Any

#: Milliseconds between attempts with QUICK_RETRY.
QUICK_BACKOFF = 1000


def send(name: str, count: int, args: list[Any], quick_retry: bool) -> list[str]:
    """Send `count` messages to the probe actor `name` with the project's broker."""
    probe = importlib.import_module("tqgen_probe")
    actor = getattr(probe, name)
    options = {"min_backoff": QUICK_BACKOFF, "max_backoff": QUICK_BACKOFF} if quick_retry else {}
    return [actor.send_with_options(args=tuple(args), **options).message_id for _ in range(count)]


def wait(timeout: float, message_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Each message's state once it finished (or at the deadline), read through the seam."""
    dispatch = importlib.import_module(f"{os.environ['TQGEN_PROBE_MODULE']}.dispatch")
    deadline = time.monotonic() + timeout
    outcome = {}
    for message_id in message_ids:
        while True:
            state = dispatch.message_state(message_id)
            if state.state in ("SUCCESS", "FAILURE") or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        result = state.result if state.result is not None else state.error
        outcome[message_id] = {"state": state.state, "result": result}
    return outcome


def main(argv: list[str]) -> None:
    """Dispatch the sub-command."""
    if argv[1] == "send":
        ids = send(argv[2], int(argv[3]), json.loads(argv[4]), argv[5] == "1")
        print(json.dumps(ids))
    elif argv[1] == "wait":
        print(json.dumps(wait(float(argv[2]), argv[3:])))
    else:
        raise SystemExit(f"unknown command {argv[1]!r}")


if __name__ == "__main__":
    main(sys.argv)
