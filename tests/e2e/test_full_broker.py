"""A full Redis broker (`maxmemory` reached with `noeviction`): loud refusals, nothing lost.

The Redis is the test's own, started with the compose file's flags except for a 16 MB memory
bound, and holds the results too, as under compose. The worker (and the web app) run under a
supervisor, as outside Docker. Units are queued, one of them running at a gate; then other keys
fill Redis until it refuses writes. Sending answers 503 (the CLI: one line, exit 2) saying Redis
is full, and so does GET /ready; the running unit finishes while Redis is full. After a while the
test makes room as the generated README says (more memory: CONFIG SET maxmemory), and every unit
queued before is done; no process exited 0 on the way. A unit whose result or acknowledgement the
full Redis refused comes back as a killed worker's does, so redelivery is shortened as in the
hard-kill test (the README states the shipped delay).
"""

from __future__ import annotations

import itertools
import socket
import time
from functools import partial
from pathlib import Path

import pytest
import redis
from support.combinations import Combination
from support.compose import host_command, load_compose
from support.crash import compose_redis_broker, open_gate, probe_worker, wait_for_records
from support.frameworks import FrameworkAdapter
from support.processes import free_port
from support.supervisor import failure, supervised, wait_for
from support.tiers import crash_combinations
from support.uvenv import run_in_project, venv_args
from support.webclient import answers_ok, request_json

pytestmark = pytest.mark.e2e

MAXMEMORY = "16mb"
# The compose file's bound, restored to make room.
ROOM = "256mb"
# The database of the test's Redis that the filler keys go to.
FILL_DB = 15
# Big values first, then smaller ones, until not even a small key fits.
FILL_SIZES = (256 * 1024, 4096, 64)
MARGIN = 4 * 1024 * 1024
UNITS = 5
FULL_FOR = 20
# Long enough for a Celery worker whose shutdown deadlocked to leave (task_time_limit + 30 s,
# shutdown.py) and its tasks to run again.
DONE_WITHIN = 420
START_TIMEOUT = 60
CLIENT_TIMEOUT = 10


def fill(client: redis.Redis) -> int:
    """Write keys until Redis refuses even small ones, then hold it there; return how many.

    The bound then goes down to what Redis uses less a margin: memory freed meanwhile (an
    expired key, the big query buffer of the filler's connection shrinking) must not open room
    for a send that the test expects refused.
    """
    written = 0
    for size in FILL_SIZES:
        value = b"x" * size
        for index in itertools.count():
            try:
                client.set(f"tqgen-fill-{size}-{index}", value)
            except redis.exceptions.OutOfMemoryError:
                break
            written += 1
    used = int(client.info("memory")["used_memory"])
    client.config_set("maxmemory", used - MARGIN)
    return written


@pytest.mark.parametrize(
    "combination", [c for c in crash_combinations() if c.broker == "redis"], ids=lambda c: c.id
)
def test_a_full_redis_refuses_loudly_and_loses_nothing(
    combination: Combination, adapter: FrameworkAdapter, probe_project: Path, tmp_path: Path
) -> None:
    """Redis full while units are queued and one runs: sending is refused saying so; once there
    is room again every unit is done."""
    with compose_redis_broker(
        probe_project, tmp_path / "redis", "--maxmemory", MAXMEMORY, results_too=True
    ) as (target, server):
        worker = probe_worker(adapter, probe_project, target)
        env = {**worker.env, "HOSTNAME": socket.gethostname(), "PORT": str(free_port())}
        commands = {"worker": worker.args}
        if combination.web != "none":
            compose = load_compose(probe_project)
            commands["web"] = venv_args(probe_project, host_command(compose, "web", env))
        base = f"http://127.0.0.1:{env['PORT']}"
        with (
            supervised("worker", commands["worker"], probe_project, env, tmp_path) as running,
            redis.Redis(host="127.0.0.1", port=server.port, db=FILL_DB) as filler,
        ):
            services = [running]
            ready = partial(running.logged, adapter.ready_log)
            wait_for(ready, START_TIMEOUT, "the worker", *services)
            key, gate = f"tqgen-full-{combination.id}", f"tqgen-full-gate-{combination.id}"
            units = adapter.submit_probe(
                probe_project, worker.client_env, key, gate, DONE_WITHIN, UNITS
            )
            wait_for_records(target, key, START_TIMEOUT, "the first unit to start")
            written = fill(filler)

            if combination.web == "none":
                cli = ["python", "-m", f"{combination.module}.cli", "add", "2", "3"]
                result = run_in_project(probe_project, cli, worker.client_env, timeout=60)
                assert result.returncode == 2, result.stderr
                assert len(result.stderr.splitlines()) == 1, result.stderr
                assert "full" in result.stderr, result.stderr
            else:
                with supervised("web", commands["web"], probe_project, env, tmp_path) as web:
                    services.append(web)
                    wait_for(lambda: answers_ok(f"{base}/health"), START_TIMEOUT, "web", web)
                    for method, path, body in (
                        ("POST", f"/{adapter.units}/add", {"x": 2, "y": 3}),
                        ("GET", "/ready", None),
                    ):
                        status, answer = request_json(
                            method, base + path, body, timeout=CLIENT_TIMEOUT
                        )
                        assert status == 503, failure(f"{method} {path}: {answer}", *services)
                        assert "full" in answer["error"], answer

            open_gate(target, gate)
            time.sleep(FULL_FOR)
            with redis.Redis(host="127.0.0.1", port=server.port) as admin:
                admin.config_set("maxmemory", ROOM)
            made_room = time.monotonic()
            outcome = adapter.wait_for_probe(probe_project, worker.client_env, units, DONE_WITHIN)
            done_after = time.monotonic() - made_room
            states = {unit_id: result["state"] for unit_id, result in outcome.items()}
            assert set(states.values()) == {adapter.success_state}, failure(f"{outcome}", *services)
            for service in services:
                assert service.clean_exits == 0, failure(f"{service.name} exited 0", service)
        print(
            f"{combination.id}: {written} keys filled Redis; every unit done {done_after:.0f} s"
            f" after room was made; worker restarts: {running.restarts}"
        )
