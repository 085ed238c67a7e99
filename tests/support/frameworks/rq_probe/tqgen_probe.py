"""Probe jobs written into a generated project by tqgen's harness for crash tests.

The worker imports them by their path (the project's src/ is on PYTHONPATH). Each records what
it did in the Redis database `TQGEN_PROBE_REDIS_URL` names; `TQGEN_PROBE_MODULE` names the
generated package (its idempotency helper and its failure hook's logger).
"""

import importlib
import json
import logging
import os
import signal
import time

import redis
from rq import get_current_job
from rq.job import Job

PACKAGE = os.environ.get("TQGEN_PROBE_MODULE", "")


def _records() -> redis.Redis:
    return redis.Redis.from_url(os.environ["TQGEN_PROBE_REDIS_URL"])


def _wait_for_gate(client: redis.Redis, gate: str, timeout: float) -> None:
    """Return once the key `gate` exists; `timeout` bounds a job nobody releases.

    A job process whose worker was killed exits too, as it would with its container: on the
    host it would live on in its own process group and finish the job.
    """
    parent = os.getppid()
    deadline = time.monotonic() + timeout
    while not client.exists(gate):
        if time.monotonic() > deadline:
            raise TimeoutError(f"nobody opened the gate {gate!r}")
        time.sleep(0.05)
    # The gate opens only after the worker was stopped or killed: look once it is open.
    if os.getppid() != parent:
        os._exit(1)


class _RedisLogHandler(logging.Handler):
    """Appends each final-failure record of the hook's logger to a Redis list for the test."""

    def emit(self, record: logging.LogRecord) -> None:
        entry = {"logger": record.name, "level": record.levelname, "message": record.getMessage()}
        _records().rpush(f"tqgen-probe-log:{record.name}", json.dumps(entry))


# The hook logs every failed attempt at WARNING and the final failure at ERROR.
_handler = _RedisLogHandler(level=logging.ERROR)
logging.getLogger(f"{PACKAGE}.failures").addHandler(_handler)


def _job() -> Job:
    job = get_current_job()
    assert job is not None
    return job


def record_and_wait(key: str, gate: str, timeout: float) -> str:
    """Append this job's id to the Redis list `key`, then wait until the key `gate` exists."""
    client = _records()
    client.rpush(key, _job().id)
    _wait_for_gate(client, gate, timeout)
    return str(_job().id)


def kill_own_process(key: str) -> None:
    """Record this run in the Redis list `key`, then SIGKILL the process running the job."""
    job = _job()
    max_retries = job.retries_left if job.retries_left is not None else 0
    client = _records()
    if not client.exists(f"{key}:max"):
        client.set(f"{key}:max", max_retries)
    start = {
        "id": job.id,
        "retries_left": job.retries_left,
        "max_retries": int(client.get(f"{key}:max") or 0),
    }
    client.rpush(key, json.dumps(start))
    os.kill(os.getpid(), signal.SIGKILL)


def always_transient(key: str) -> None:
    """Record this attempt in the Redis list `key`, then fail as a broken job does."""
    job = _job()
    _records().rpush(key, json.dumps({"id": job.id, "retries_left": job.retries_left}))
    raise RuntimeError(f"tqgen probe: fails every time ({key})")


def idempotent_side_effect(key: str, gate: str, timeout: float) -> str:
    """Inside the project's `run_once` block: record `started`, wait for `gate`, record `done`."""
    run_once = importlib.import_module(f"{PACKAGE}.idempotency").run_once
    client = _records()
    job_id = _job().id
    with run_once(f"tqgen-probe:{key}", owner=job_id, ttl=600) as first_time:
        if not first_time:
            return "skipped"
        client.rpush(f"{key}:started", job_id)
        _wait_for_gate(client, gate, timeout)
        client.rpush(f"{key}:done", job_id)
    return "done"
