"""Probe task written into a generated project by tqgen's harness for worker-kill tests.

It is loaded with the documented worker command plus `--include tqgen_probe`, so it runs on the
generated app with the generated configuration; the template carries no test-only switch.
"""

import os
import time

import redis
from celery import shared_task


@shared_task(name="tqgen_probe.record_and_sleep", bind=True)
def record_and_sleep(self, key: str, seconds: float) -> str:
    """Append this task's id to the Redis list `key`, then sleep `seconds`."""
    client = redis.Redis.from_url(os.environ["TQGEN_PROBE_REDIS_URL"])
    client.rpush(key, self.request.id)
    time.sleep(seconds)
    return self.request.id
