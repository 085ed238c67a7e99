"""The broker gone for 70 s, longer than any client's reconnect back-off, then back.

Every long-running service of the project runs as outside Docker under a supervisor (restarted
after a non-zero exit, as `Restart=on-failure` and compose's restart policy do; an exit 0 would
leave it down): a worker running a unit, a second worker that is idle, the scheduler and the web
app, each from its compose command, all reaching the broker through a relay that the test cuts
(every connection closed, new ones refused, as a stopped broker) and restores. On a Redis broker
the results go through the relay too, as under compose.

While the broker is gone the web app answers 503 at once and still answers GET /health while a
request waits; after it is back, the unit that ran through the outage and the units sent after
it are all done within a minute, the compose healthchecks pass again, the idle worker takes
work, and no service exited 0.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from support.brokers import BrokerTarget, isolated_broker
from support.combinations import Combination
from support.compose import healthcheck_command, host_command, load_compose, services
from support.crash import compose_redis_broker, open_gate, probe_worker, wait_for_records
from support.frameworks import FrameworkAdapter
from support.processes import free_port
from support.relay import Relay, relay_to
from support.supervisor import failure, supervised, wait_for
from support.tiers import crash_combinations
from support.uvenv import run_in_project, venv_args
from support.webclient import answers_ok, request_json

pytestmark = pytest.mark.e2e

OUTAGE = 70
# The unit that runs through the outage finishes while the broker is still gone.
GATE_OPENS_AFTER = 20
# The bar: running and queued work done within a minute of the broker's return.
DONE_WITHIN = 60
SENT_AFTER = 4
START_TIMEOUT = 60
HEALTHY_WITHIN = 90
# A client that waits this long for an answer gets one, during the outage too.
CLIENT_TIMEOUT = 10


def relayed(url: str, relay: Relay) -> str:
    """`url` with its host and port replaced by the relay's."""
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{relay.port}" if credentials else f"127.0.0.1:{relay.port}"
    return urlunsplit(parts._replace(netloc=netloc))


@contextmanager
def broker_behind_relay(
    combination: Combination, project: Path, directory: Path
) -> Iterator[tuple[BrokerTarget, Relay]]:
    """The broker, reached through a relay: Redis (a server of the test's own with the compose
    flags, holding the results too) or RabbitMQ (the local one; results on the local Redis)."""
    if combination.broker == "redis":
        with (
            compose_redis_broker(project, directory / "redis", results_too=True) as (target, _),
            relay_to("127.0.0.1", urlsplit(target.broker_url).port or 6379) as relay,
        ):
            url = relayed(target.broker_url, relay)
            yield replace(target, broker_url=url, result_backend_url=url), relay
    else:
        with (
            isolated_broker(combination.broker) as target,
            relay_to("127.0.0.1", urlsplit(target.broker_url).port or 5672) as relay,
        ):
            yield replace(target, broker_url=relayed(target.broker_url, relay)), relay


def healthy(project: Path, service: str, env: dict[str, str]) -> bool:
    """Whether the compose healthcheck of `service` passes, run on the host."""
    args = venv_args(project, healthcheck_command(load_compose(project), service, env))
    return run_in_project(project, args, env, timeout=60).returncode == 0


def during_outage_web(base: str, units: str) -> dict[str, Any]:
    """What the web app answers while the broker is gone: a POST, /health while it waits,
    /ready."""
    post: dict[str, Any] = {}

    def send() -> None:
        started = time.monotonic()
        post["answer"] = request_json(
            "POST", f"{base}/{units}/add", {"x": 2, "y": 3}, timeout=CLIENT_TIMEOUT * 3
        )
        post["took"] = time.monotonic() - started

    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(0.5)
    started = time.monotonic()
    health = request_json("GET", f"{base}/health", timeout=CLIENT_TIMEOUT)
    health_took = time.monotonic() - started
    ready = request_json("GET", f"{base}/ready", timeout=CLIENT_TIMEOUT)
    sender.join()
    return {"post": post, "health": health, "health_took": health_took, "ready": ready}


@pytest.mark.parametrize("combination", crash_combinations(), ids=lambda c: c.id)
def test_every_service_survives_a_broker_outage(
    combination: Combination, adapter: FrameworkAdapter, probe_project: Path, tmp_path: Path
) -> None:
    """70 s without the broker while one worker runs a unit and another is idle: the web app
    answers 503 meanwhile; everything is done within a minute of the broker's return."""
    with broker_behind_relay(combination, probe_project, tmp_path) as (target, relay):
        worker = probe_worker(adapter, probe_project, target, fast_redelivery=False)
        # Compose's healthchecks read the container's HOSTNAME; a host shell may not export it.
        env = {**worker.env, "HOSTNAME": socket.gethostname(), "PORT": str(free_port())}
        commands = {
            "worker": worker.args,
            "idle-worker": adapter.another_worker(worker.args, "idle"),
        }
        scheduler = adapter.scheduler_service(combination)
        if scheduler:
            commands[scheduler] = adapter.service_command(probe_project, scheduler, env, tmp_path)
        compose = load_compose(probe_project)
        if combination.web != "none":
            commands["web"] = venv_args(probe_project, host_command(compose, "web", env))
        base = f"http://127.0.0.1:{env['PORT']}"

        with ExitStack() as stack:
            running = {
                name: stack.enter_context(supervised(name, args, probe_project, env, tmp_path))
                for name, args in commands.items()
            }
            everything = list(running.values())
            for name in ("worker", "idle-worker"):
                ready = partial(running[name].logged, adapter.ready_log)
                wait_for(ready, START_TIMEOUT, f"{name} to be ready", *everything)
            if "web" in running:
                wait_for(lambda: answers_ok(f"{base}/health"), START_TIMEOUT, "web", *everything)

            key, gate = f"tqgen-outage-{combination.id}", f"tqgen-outage-gate-{combination.id}"
            [through] = adapter.submit_probe(
                probe_project, worker.client_env, key, gate, OUTAGE * 3, 1
            )
            wait_for_records(target, key, START_TIMEOUT, "the unit to start")

            relay.cut()
            cut_at = time.monotonic()
            if "web" in running:
                seen = during_outage_web(base, adapter.units)
                status, answer = seen["post"]["answer"]
                assert status == 503, failure(f"POST: {status} {answer}", *everything)
                assert seen["post"]["took"] < CLIENT_TIMEOUT, seen
                assert seen["health"][0] == 200, seen
                assert seen["health_took"] < 3, f"/health waited behind the POST: {seen}"
                assert seen["ready"][0] == 503, seen
            else:
                cli = ["python", "-m", f"{combination.module}.cli", "add", "2", "3"]
                started = time.monotonic()
                result = run_in_project(probe_project, cli, worker.client_env, timeout=60)
                assert result.returncode == 2, result.stderr
                assert len(result.stderr.splitlines()) == 1, result.stderr
                assert time.monotonic() - started < CLIENT_TIMEOUT + 5, result.stderr
            time.sleep(max(0.0, cut_at + GATE_OPENS_AFTER - time.monotonic()))
            open_gate(target, gate)
            time.sleep(max(0.0, cut_at + OUTAGE - time.monotonic()))
            relay.restore()
            restored_at = time.monotonic()

            sent = adapter.send(
                probe_project, worker.client_env, "record_and_wait", [key, gate, 60], SENT_AFTER
            )
            outcome = adapter.wait_for_probe(
                probe_project, worker.client_env, [through, *sent], DONE_WITHIN
            )
            done_after = time.monotonic() - restored_at
            states = {unit_id: result["state"] for unit_id, result in outcome.items()}
            assert set(states.values()) == {adapter.success_state}, failure(
                f"{outcome}", *everything
            )

            for name in running:
                if "healthcheck" in services(compose).get(name, {}):
                    wait_for(
                        partial(healthy, probe_project, name, env),
                        HEALTHY_WITHIN,
                        f"the {name} healthcheck to pass",
                        *everything,
                    )

            # The worker that was idle through the outage (or its restart) takes work alone.
            running["worker"].stop()
            [alone] = adapter.send(
                probe_project, worker.client_env, "record_and_wait", [key, gate, 60], 1
            )
            outcome = adapter.wait_for_probe(probe_project, worker.client_env, [alone], DONE_WITHIN)
            assert outcome[alone]["state"] == adapter.success_state, failure(
                f"{outcome}", *everything
            )
            for service in everything:
                assert service.clean_exits == 0, failure(f"{service.name} exited 0", service)
        restarts = {s.name: s.restarts for s in everything}
        print(f"{combination.id}: done {done_after:.0f} s after the broker's return; {restarts}")
