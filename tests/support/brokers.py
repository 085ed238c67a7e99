"""Give each end-to-end test a broker namespace of its own, and clean it up afterwards.

Redis: one of databases 10-15, leased through a lock file for the whole machine (test runs of
other checkouts may share the local Redis), flushed before and after each test.
RabbitMQ: a vhost of its own (`rabbitmqctl add_vhost` + `set_permissions`), deleted after; its
results go to the worker's Redis database.
"""

from __future__ import annotations

import fcntl
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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
LEASE_DIR = Path(tempfile.gettempdir()) / "tqgen-redis-db-leases"
# How long a test waits for a free database while other runs hold all of them.
LEASE_TIMEOUT = 900


@dataclass(frozen=True)
class BrokerTarget:
    """Where one test's tasks and results go.

    Attributes:
        broker: `redis` or `rabbitmq`.
        broker_url: the URL handed to the project as BROKER_URL.
        results_db: the Redis database holding the harness's probe records, and the results
            unless `result_backend_url` says otherwise.
        result_backend_url: where the project keeps results, when not in `results_db` (a test
            that stops the broker's Redis stops the results with it).
    """

    broker: str
    broker_url: str
    results_db: int
    result_backend_url: str | None = None

    @property
    def results_url(self) -> str:
        """The Redis URL of the results database."""
        return f"redis://{REDIS_HOST}:{REDIS_PORT}/{self.results_db}"

    def env(self) -> dict[str, str]:
        """The contract's environment variables pointing a generated project here."""
        return {
            "BROKER_URL": self.broker_url,
            "RESULT_BACKEND_URL": self.result_backend_url or self.results_url,
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


@contextmanager
def leased_db() -> Iterator[int]:
    """A Redis test database no other test on this machine uses until the block ends.

    Each database has a lock file; the lease is an exclusive flock on it, which the kernel drops
    when the process dies, so a killed run leaves no stale lease; a database that some client
    (a worker such a run left behind) still uses is skipped. The xdist worker's own database is
    tried first.
    """
    LEASE_DIR.mkdir(parents=True, exist_ok=True)
    first = test_db()
    order = [first, *(db for db in range(FIRST_TEST_DB, LAST_TEST_DB + 1) if db != first)]
    deadline = time.monotonic() + LEASE_TIMEOUT
    while True:
        for db in order:
            handle = (LEASE_DIR / f"{db}.lock").open("a")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            if _connected(db):  # a worker a killed run left behind still consumes from it
                handle.close()
                continue
            try:
                yield db
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(f"no free Redis test database {FIRST_TEST_DB}-{LAST_TEST_DB}")
        time.sleep(0.5)


def _connected(db: int) -> bool:
    """Whether any client of the local Redis has database `db` selected."""
    with redis_db(0) as client:
        return any(entry.get("db") == str(db) for entry in client.client_list())


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
    with leased_db() as db:
        flush(db)
        vhost = None
        try:
            if broker == "redis":
                yield BrokerTarget(broker, f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}", db)
            elif broker == "rabbitmq":
                vhost = f"tqgen-{xdist_worker()}-{uuid.uuid4().hex[:8]}"
                rabbitmqctl("add_vhost", vhost)
                rabbitmqctl("set_permissions", "-p", vhost, RABBITMQ_USER, ".*", ".*", ".*")
                url = (
                    f"amqp://{RABBITMQ_USER}:{RABBITMQ_PASSWORD}@{RABBITMQ_HOST}:{RABBITMQ_PORT}"
                    f"/{vhost}"
                )
                yield BrokerTarget(broker, url, db)
            else:
                raise ValueError(f"no local broker for {broker!r}")
        finally:
            if vhost:
                rabbitmqctl("delete_vhost", vhost)
            flush(db)


@contextmanager
def isolated_broker_if_any(broker: str) -> Iterator[BrokerTarget | None]:
    """`isolated_broker(broker)`; None for a combination without a broker (`none`: Airflow's
    local executor)."""
    if broker == "none":
        yield None
        return
    with isolated_broker(broker) as target:
        yield target
