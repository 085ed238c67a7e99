"""Submit probe tasks and collect their results through a generated project's Celery app.

Run with the project's Python:
    python celery_client.py APP submit KEY GATE TIMEOUT COUNT  -> prints a JSON list of task ids
    python celery_client.py APP wait TIMEOUT ID...             -> prints {id: {"state", "result"}}
"""

import json
import sys
import time

from celery.app.utils import find_app


def main(argv: list[str]) -> None:
    """Dispatch the sub-command."""
    app = find_app(argv[1])
    if argv[2] == "submit":
        key, gate, timeout, count = argv[3], argv[4], float(argv[5]), int(argv[6])
        ids = [
            app.send_task("tqgen_probe.record_and_wait", args=[key, gate, timeout]).id
            for _ in range(count)
        ]
        print(json.dumps(ids))
    elif argv[2] == "wait":
        deadline = time.monotonic() + float(argv[3])
        outcome = {}
        for task_id in argv[4:]:
            result = app.AsyncResult(task_id)
            try:
                value = result.get(timeout=max(deadline - time.monotonic(), 0.1))
            except Exception as error:  # reported to the test, which asserts on the state
                value = repr(error)
            outcome[task_id] = {"state": result.state, "result": value}
        print(json.dumps(outcome))
    else:
        raise SystemExit(f"unknown command {argv[2]!r}")


if __name__ == "__main__":
    main(sys.argv)
