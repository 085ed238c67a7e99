"""Submit probe jobs through a generated project's enqueue helper and read their states.

Run with the project's Python, `-P` (so that this directory is not on sys.path) and
PYTHONPATH=src (the project's copy of the probe), TQGEN_PROBE_MODULE naming the package:
    python -P client.py send NAME COUNT ARGS_JSON QUICK_RETRY  -> a JSON list of job ids
    python -P client.py wait TIMEOUT ID...                     -> {id: {"state", "result"}}
QUICK_RETRY `1` keeps the project's retry bound and shortens only the wait between attempts.
"""

import importlib
import json
import os
import sys
import time
from typing import Any

from rq import Retry


def send(name: str, count: int, args: list[Any], quick_retry: bool) -> list[str]:
    """Queue `count` runs of `tqgen_probe.<name>(*args)` with the project's `queues.enqueue`."""
    queues: Any = importlib.import_module(f"{os.environ['TQGEN_PROBE_MODULE']}.queues")
    probe = importlib.import_module("tqgen_probe")
    if quick_retry:
        queues.RETRY = Retry(max=queues.RETRY.max, interval=1)
    return [str(queues.enqueue(getattr(probe, name), *args).id) for _ in range(count)]


def wait(timeout: float, job_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Each job's state once it finished (or at the deadline), read through the seam."""
    dispatch = importlib.import_module(f"{os.environ['TQGEN_PROBE_MODULE']}.dispatch")
    deadline = time.monotonic() + timeout
    outcome = {}
    for job_id in job_ids:
        while True:
            state = dispatch.job_state(job_id)
            if state.state in ("SUCCESS", "FAILURE") or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        result = state.result if state.result is not None else state.error
        outcome[job_id] = {"state": state.state, "result": result}
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
