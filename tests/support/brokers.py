"""Give each end-to-end test a broker namespace of its own, and clean it up afterwards.

Redis: database 10 + the xdist worker's number (10-15), flushed before and after each test.
RabbitMQ: a vhost of its own (`rabbitmqctl add_vhost` + `set_permissions`), deleted after; its
results go to the worker's Redis database.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis

from support.locking import xdist_worker, xdist_worker_index
from support.services import (
    RABBITMQ_HOST,
    RABBITMQ_PASSWORD,
    RABBITMQ_PORT,
    RABBITMQ_USER,
    REDIS_HOST,
    REDIS_PORT,
    require,
    service_for_broker,
)
from support.services import REDIS as REDIS_SERVICE

FIRST_TEST_DB, LAST_TEST_DB = 10, 15


@dataclass(frozen=True)
class BrokerTarget:
    """Where one test's tasks and results go.

    Attributes:
        broker: `redis` or `rabbitmq`.
        broker_url: the URL handed to the project as BROKER_URL.
        results_db: the Redis database holding results (and the harness's probe records).
    """

    broker: str
    broker_url: str
    results_db: int

    @property
    def results_url(self) -> str:
        """The Redis URL of the results database."""
        return f"redis://{REDIS_HOST}:{REDIS_PORT}/{self.results_db}"

    def env(self) -> dict[str, str]:
        """The contract's environment variables pointing a generated project here."""
        return {
            "BROKER_URL": self.broker_url,
            "RESULT_BACKEND_URL": self.results_url,
            "TEST_REQUIRE_BROKER": "1",
        }


def test_db() -> int:
    """This xdist worker's Redis database."""
    db = FIRST_TEST_DB + xdist_worker_index()
    if db > LAST_TEST_DB:
        raise RuntimeError(
            f"more xdist workers than Redis databases {FIRST_TEST_DB}-{LAST_TEST_DB}"
        )
    return db


def redis_db(db: int) -> redis.Redis:
    """A client of one database of the local Redis, answers decoded to str."""
    return redis.Redis(
        host=REDIS_HOST, port=REDIS_PORT, db=db, decode_responses=True, socket_timeout=10
    )


def flush(db: int) -> None:
    """Empty one Redis database."""
    with redis_db(db) as client:
        client.flushdb()


def rabbitmqctl(*args: str) -> None:
    """Run rabbitmqctl, raising with its output when it fails."""
    completed = subprocess.run(
        ["rabbitmqctl", *args], capture_output=True, text=True, timeout=120, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {completed.stderr}")


@contextmanager
def isolated_broker(broker: str) -> Iterator[BrokerTarget]:
    """A fresh namespace on the local `broker` (skips, or fails when required, if it is down)."""
    require(REDIS_SERVICE)
    require(service_for_broker(broker))
    db = test_db()
    flush(db)
    vhost = None
    try:
        if broker == "redis":
            yield BrokerTarget(broker, f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}", db)
        elif broker == "rabbitmq":
            vhost = f"tqgen-{xdist_worker()}-{uuid.uuid4().hex[:8]}"
            rabbitmqctl("add_vhost", vhost)
            rabbitmqctl("set_permissions", "-p", vhost, RABBITMQ_USER, ".*", ".*", ".*")
            url = f"amqp://{RABBITMQ_USER}:{RABBITMQ_PASSWORD}@{RABBITMQ_HOST}:{RABBITMQ_PORT}/{vhost}"
            yield BrokerTarget(broker, url, db)
        else:
            raise ValueError(f"no local broker for {broker!r}")
    finally:
        if vhost:
            rabbitmqctl("delete_vhost", vhost)
        flush(db)
