"""A broker or result store that is down: the web app answers a JSON 503, the CLI one line.

The generated web app runs from its compose command; the service that is down is an address
nothing listens on (a stopped Redis or RabbitMQ refuses the connection the same way). A client
that gives up after 5 s must get the answer: no request waits for the framework's retries.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.brokers import BrokerTarget
from support.combinations import Combination
from support.compose import host_command, load_compose
from support.frameworks import FrameworkAdapter
from support.processes import free_port, running, wait_until
from support.tiers import roundtrip_combinations
from support.uvenv import project_env, run_in_project, venv_args
from support.webclient import answers_ok, request_json

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("combination", roundtrip_combinations(), ids=lambda c: c.id),
]

START_TIMEOUT = 60
# What a client waits for an answer before it gives up.
CLIENT_TIMEOUT = 5


def stopped(target: BrokerTarget, which: str) -> dict[str, str]:
    """The project's environment with `which` ("broker" or "results") at a stopped service."""
    nowhere = f"127.0.0.1:{free_port()}"
    env = target.env()
    if which == "results" or target.broker == "redis":
        env["RESULT_BACKEND_URL"] = f"redis://{nowhere}/0"
    if which == "broker":
        scheme = "redis" if target.broker == "redis" else "amqp"
        env["BROKER_URL"] = f"{scheme}://guest:guest@{nowhere}/"
    return env


def test_a_stopped_service_is_a_503_or_one_line(
    combination: Combination,
    adapter: FrameworkAdapter,
    installed_project: Path,
    broker_target: BrokerTarget,
    tmp_path: Path,
) -> None:
    """The broker, then the result store where it is another service, stopped: POST answers 503
    with a JSON reason within 5 s, and so does GET /ready (GET /<units>/<id> too when results
    are down); the CLI says so in one line and exits 2."""
    # A Redis broker holds the results too: stopping it stops both.
    cases = ["broker"] if broker_target.broker == "redis" else ["broker", "results"]
    for which in cases:
        check_stopped(combination, adapter, installed_project, broker_target, which, tmp_path)


def check_stopped(
    combination: Combination,
    adapter: FrameworkAdapter,
    installed_project: Path,
    broker_target: BrokerTarget,
    which: str,
    tmp_path: Path,
) -> None:
    """One stopped service: `which` is "broker" or "results"."""
    env = stopped(broker_target, which)
    if combination.web == "none":
        module = f"{combination.module}.cli"
        result = run_in_project(installed_project, ["python", "-m", module, "add", "2", "3"], env)
        assert result.returncode == 2, result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert "does not answer" in result.stderr
        return
    port = free_port()
    web_env = project_env(installed_project, {**env, "PORT": str(port)})
    compose = load_compose(installed_project)
    args = venv_args(installed_project, host_command(compose, "web", web_env))
    with running(args, installed_project, web_env, tmp_path / f"web-{which}.log") as web:
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: answers_ok(f"{base}/health"), START_TIMEOUT, "GET /health")
        except TimeoutError as error:
            pytest.fail(f"{error}\n{web.output()[-3000:]}")
        requests = [
            ("POST", f"{base}/{adapter.units}/add", {"x": 2, "y": 3}),
            ("GET", f"{base}/ready", None),
        ]
        if which == "results" or broker_target.broker == "redis":
            requests.append(("GET", f"{base}/{adapter.units}/any-id", None))
        for method, url, body in requests:
            status, answer = request_json(method, url, body, timeout=CLIENT_TIMEOUT)
            assert status == 503, f"{method} {url}: {status} {answer}\n{web.output()[-3000:]}"
            assert "does not answer" in answer["error"], answer
