"""Probe actors written into a generated Dramatiq project by tqgen's harness for crash tests.

The worker loads this module after the project's actors (`dramatiq <package>.actors
tqgen_probe ...`; the project's src/ is on PYTHONPATH). It imports the project's broker module
first, as every actor module of the project must. Each actor records what it did in the Redis
database `TQGEN_PROBE_REDIS_URL` names; `TQGEN_PROBE_MODULE` names the generated package (its
broker, idempotency helper and failure hook's logger).
"""

import importlib
import json
import logging
import os
import signal
import time
from typing import Any

import dramatiq
import redis
from dramatiq.middleware import CurrentMessage

PACKAGE = os.environ["TQGEN_PROBE_MODULE"]
# First: the project's broker module sets the broker these actors are declared on.
broker: Any = importlib.import_module(f"{PACKAGE}.broker")
errors: Any = importlib.import_module(f"{PACKAGE}.errors")


def _records() -> redis.Redis:
    return redis.Redis.from_url(os.environ["TQGEN_PROBE_REDIS_URL"])


def _message() -> Any:
    message = CurrentMessage.get_current_message()
    assert message is not None
    return message


def _wait_for_gate(client: redis.Redis, gate: str, timeout: float) -> None:
    """Return once the key `gate` exists; `timeout` bounds a message nobody releases."""
    deadline = time.monotonic() + timeout
    while not client.exists(gate):
        if time.monotonic() > deadline:
            raise TimeoutError(f"nobody opened the gate {gate!r}")
        time.sleep(0.05)


class _RedisLogHandler(logging.Handler):
    """Appends each final-failure record of the hook's logger to a Redis list for the test."""

    def emit(self, record: logging.LogRecord) -> None:
        entry = {"logger": record.name, "level": record.levelname, "message": record.getMessage()}
        _records().rpush(f"tqgen-probe-log:{record.name}", json.dumps(entry))


# The hook logs every failed attempt at WARNING and the final failure at ERROR.
logging.getLogger(f"{PACKAGE}.failures").addHandler(_RedisLogHandler(level=logging.ERROR))


@dramatiq.actor(queue_name=broker.DEFAULT_QUEUE, store_results=True)
def record_and_wait(key: str, gate: str, timeout: float) -> str:
    """Append this message's id to the Redis list `key`, then wait until the key `gate` exists."""
    client = _records()
    message_id = _message().message_id
    client.rpush(key, message_id)
    _wait_for_gate(client, gate, timeout)
    return str(message_id)


@dramatiq.actor(queue_name=broker.DEFAULT_QUEUE, store_results=True)
def kill_own_process(key: str) -> None:
    """Record this run in the Redis list `key`, then SIGKILL the worker process running it.

    Its bound is the project's CrashLimit: `max_retries` is the number of dead runs after which
    the next delivery fails the message.
    """
    message = _message()
    start = {"id": message.message_id, "retries_left": None, "max_retries": broker.MAX_CRASHES}
    _records().rpush(key, json.dumps(start))
    os.kill(os.getpid(), signal.SIGKILL)


@dramatiq.actor(queue_name=broker.DEFAULT_QUEUE, store_results=True)
def always_transient(key: str) -> None:
    """Record this attempt in the Redis list `key`, then raise the project's transient error."""
    message = _message()
    retries_left = broker.MAX_RETRIES - message.options.get("retries", 0)
    _records().rpush(key, json.dumps({"id": message.message_id, "retries_left": retries_left}))
    raise errors.TransientError(f"tqgen probe: fails every time ({key})")


@dramatiq.actor(queue_name=broker.DEFAULT_QUEUE, store_results=True)
def idempotent_side_effect(key: str, gate: str, timeout: float) -> str:
    """Inside the project's `run_once` block: record `started`, wait for `gate`, record `done`."""
    run_once = importlib.import_module(f"{PACKAGE}.idempotency").run_once
    client = _records()
    message_id = _message().message_id
    with run_once(f"tqgen-probe:{key}", owner=message_id, ttl=600) as first_time:
        if not first_time:
            return "skipped"
        client.rpush(f"{key}:started", message_id)
        _wait_for_gate(client, gate, timeout)
        client.rpush(f"{key}:done", message_id)
    return "done"
