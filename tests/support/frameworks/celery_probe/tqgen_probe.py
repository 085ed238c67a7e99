"""Probe tasks written into a generated project by tqgen's harness for crash tests.

They are loaded with the documented worker command plus `--include tqgen_probe`, so they run on
the generated app with the generated configuration; the template carries no test-only switch.
Each task records what it did in the Redis database `TQGEN_PROBE_REDIS_URL` names, which the
test reads; `TQGEN_PROBE_MODULE` names the generated package (its idempotency helper and its
failure hook's logger).
"""

import importlib
import inspect
import json
import logging
import os
import signal
import time

import redis
from celery import Task, shared_task


def _records() -> redis.Redis:
    return redis.Redis.from_url(os.environ["TQGEN_PROBE_REDIS_URL"])


def _wait_for_gate(client: redis.Redis, gate: str, timeout: float) -> None:
    """Return once the key `gate` exists; `timeout` bounds a task nobody releases."""
    deadline = time.monotonic() + timeout
    while not client.exists(gate):
        if time.monotonic() > deadline:
            raise TimeoutError(f"nobody opened the gate {gate!r}")
        time.sleep(0.05)


class _RedisLogHandler(logging.Handler):
    """Appends each record of the failure hook's logger to a Redis list, for the test to read."""

    def emit(self, record: logging.LogRecord) -> None:
        entry = {"logger": record.name, "level": record.levelname, "message": record.getMessage()}
        _records().rpush(f"tqgen-probe-log:{record.name}", json.dumps(entry))


# The hook logs in the worker's main process (a killed pool process cannot log its own death).
_HOOK_LOGGER = f"{os.environ.get('TQGEN_PROBE_MODULE', '')}.signals"
logging.getLogger(_HOOK_LOGGER).addHandler(_RedisLogHandler())


@shared_task(name="tqgen_probe.record_and_wait", bind=True)
def record_and_wait(self: Task, key: str, gate: str, timeout: float) -> str:
    """Append this task's id to the Redis list `key`, then wait until the key `gate` exists.

    The test opens the gate only after it has stopped or killed the worker, so no task can
    finish on that worker, however the timing falls.
    """
    client = _records()
    client.rpush(key, self.request.id)
    _wait_for_gate(client, gate, timeout)
    return str(self.request.id)


# The retry options are the project's (Celery's `max_retries` default, the worker-lost setting);
# only the delay between attempts is shortened, so the test does not wait minutes for each.
@shared_task(name="tqgen_probe.kill_own_process", bind=True, default_retry_delay=1)
def kill_own_process(self: Task, key: str) -> None:
    """Record this delivery in the Redis list `key`, then SIGKILL the process running the task."""
    request = self.request
    start = {"id": request.id, "retries": request.retries, "max_retries": self.max_retries}
    _records().rpush(key, json.dumps(start))
    os.kill(os.getpid(), signal.SIGKILL)


# The project's transient error, retried the way the project's tasks retry it (autoretry_for,
# Celery's max_retries); only the wait between attempts is shortened.
_TransientError = importlib.import_module(
    f"{os.environ.get('TQGEN_PROBE_MODULE', '')}.errors"
).TransientError


@shared_task(
    name="tqgen_probe.always_transient",
    bind=True,
    autoretry_for=(_TransientError,),
    default_retry_delay=1,
)
def always_transient(self: Task, key: str) -> None:
    """Record this attempt in the Redis list `key`, then fail with a transient error."""
    attempt = {"id": self.request.id, "retries_left": self.max_retries - self.request.retries}
    _records().rpush(key, json.dumps(attempt))
    raise _TransientError(f"tqgen probe: fails every time ({key})")


@shared_task(name="tqgen_probe.idempotent_side_effect", bind=True)
def idempotent_side_effect(self: Task, key: str, gate: str, timeout: float) -> str:
    """Inside the project's `run_once` block: record `started`, wait for `gate`, record `done`.

    `done` in the list `<key>:done` is the side effect; the test kills the worker while the task
    waits inside the block and expects `done` once the task has ended.
    """
    run_once = importlib.import_module(f"{os.environ['TQGEN_PROBE_MODULE']}.idempotency").run_once
    client = _records()
    # A template without the owner argument (before the at-least-once helper) is still probed,
    # so the test shows what such a template does to the side effect.
    owner = {"owner": self.request.id} if "owner" in inspect.signature(run_once).parameters else {}
    with run_once(f"tqgen-probe:{key}", ttl=600, **owner) as first_time:
        if not first_time:
            return "skipped"
        client.rpush(f"{key}:started", self.request.id)
        _wait_for_gate(client, gate, timeout)
        client.rpush(f"{key}:done", self.request.id)
    return "done"
