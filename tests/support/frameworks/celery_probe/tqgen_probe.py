"""Probe task written into a generated project by tqgen's harness for worker-kill tests.

It is loaded with the documented worker command plus `--include tqgen_probe`, so it runs on the
generated app with the generated configuration; the template carries no test-only switch.
"""

import os
import time

import redis
from celery import shared_task


@shared_task(name="tqgen_probe.record_and_wait", bind=True)
def record_and_wait(self, key: str, gate: str, timeout: float) -> str:
    """Append this task's id to the Redis list `key`, then wait until the key `gate` exists.

    The test opens the gate only after it has killed the worker, so no task can finish on the
    worker that is killed, however the timing falls. `timeout` bounds a task nobody releases.
    """
    client = redis.Redis.from_url(os.environ["TQGEN_PROBE_REDIS_URL"])
    client.rpush(key, self.request.id)
    deadline = time.monotonic() + timeout
    while not client.exists(gate):
        if time.monotonic() > deadline:
            raise TimeoutError(f"nobody opened the gate {gate!r}")
        time.sleep(0.05)
    return self.request.id
