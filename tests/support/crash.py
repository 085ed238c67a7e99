"""What crash tests share: the probe's records in Redis, gates, and worker logs for failures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from support.brokers import BrokerTarget, isolated_broker, redis_db
from support.compose import command, load_compose
from support.processes import ProcessGroup, running, wait_until
from support.redis_server import RedisServer, own_redis_server
from support.uvenv import project_env

if TYPE_CHECKING:
    from support.frameworks.base import TaskQueueAdapter


@dataclass(frozen=True)
class ProbeWorker:
    """A crash test's worker: the compose `worker` command and environment, loading the probe.

    Attributes:
        project: the project copy with the probe installed.
        target: where the broker, the results and the probe's records live.
        client_env: the environment for submitting and reading probe tasks.
        env: the worker's environment (the compose service's own `environment:` included).
        args: the worker command.
    """

    project: Path
    target: BrokerTarget
    client_env: dict[str, str]
    env: dict[str, str]
    args: list[str]

    @contextmanager
    def running(self, log: Path) -> Iterator[ProcessGroup]:
        """A worker process group for the block, writing its output to `log`."""
        with running(self.args, self.project, self.env, log) as group:
            yield group


def probe_worker(
    adapter: TaskQueueAdapter, project: Path, target: BrokerTarget, fast_redelivery: bool = True
) -> ProbeWorker:
    """The worker a crash test starts; `fast_redelivery=False` keeps the shipped settings."""
    client_env = adapter.probe_env(project, target, fast_redelivery=fast_redelivery)
    env = adapter.worker_service_env(project, project_env(project, client_env))
    args = adapter.probe_worker_command(project, env)
    return ProbeWorker(project, target, client_env, env, args)


def wait_for_records(
    target: BrokerTarget, key: str, timeout: float, what: str, *workers: ProcessGroup
) -> list[str]:
    """The Redis list `key` once it holds an entry; fails the test with the workers' logs if
    none comes within `timeout` seconds."""
    try:
        found: list[str] = wait_until(lambda: records(target, key), timeout, what)
    except TimeoutError as error:
        pytest.fail(f"{error}\n{logs(*workers)}")
    return found


def records(target: BrokerTarget, key: str) -> list[str]:
    """The Redis list `key` the probe appended to, oldest first."""
    with redis_db(target.results_db) as client:
        return list(client.lrange(key, 0, -1))


def json_records(target: BrokerTarget, key: str) -> list[dict[str, Any]]:
    """The Redis list `key`, each entry decoded from JSON."""
    return [json.loads(entry) for entry in records(target, key)]


def open_gate(target: BrokerTarget, gate: str) -> None:
    """Let every probe task waiting for `gate` go on."""
    with redis_db(target.results_db) as client:
        client.set(gate, "open")


def logs(*groups: ProcessGroup) -> str:
    """The end of each process's output, for a failure message."""
    return "\n".join(f"--- {g.log.name}\n{g.output()[-4000:]}" for g in groups)


@contextmanager
def compose_redis_broker(
    project: Path, directory: Path, *extra_flags: str, results_too: bool = False
) -> Iterator[tuple[BrokerTarget, RedisServer]]:
    """A Redis of the test's own, started with the compose file's `redis` flags (then
    `extra_flags`, which win), as the broker; the probe's records stay on a database of the
    session's Redis, and so do the results unless `results_too` puts them on the broker's Redis
    as compose does."""
    flags = [*command(load_compose(project), "redis"), *extra_flags]
    with isolated_broker("redis") as local, own_redis_server(flags, directory) as server:
        results = server.url() if results_too else None
        yield replace(local, broker_url=server.url(), result_backend_url=results), server
