"""Flower, started with the compose `flower` command and environment, asks for its login.

What the generated README says: the pages and the API need `FLOWER_BASIC_AUTH`; `/metrics` and
`/healthcheck` answer without it (Flower serves them unauthenticated).
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from support.brokers import BrokerTarget
from support.combinations import Combination
from support.compose import host_command, load_compose, service_environment
from support.processes import ProcessGroup, free_port, running, wait_until
from support.tiers import e2e_combinations
from support.uvenv import project_env, venv_args

pytestmark = pytest.mark.e2e

LOGIN = "tqgen:flower-test-password"
START_TIMEOUT = 30


def _with_flower() -> list[Combination]:
    """One Celery combination that ships Flower."""
    chosen = [
        c for c in e2e_combinations() if c.framework == "celery" and c.data.get("monitoring", True)
    ]
    return chosen[:1]


def _status(url: str, login: str | None = None) -> tuple[int, bytes]:
    """GET `url`, with basic auth when `login` is given: the status and the body."""
    request = urllib.request.Request(url)
    if login is not None:
        request.add_header("Authorization", "Basic " + base64.b64encode(login.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _answers(url: str) -> bool:
    try:
        return _status(url)[0] == 200
    except OSError:
        return False


def _logs(flower: ProcessGroup) -> str:
    return f"--- flower\n{flower.output()[-4000:]}"


@pytest.mark.parametrize("combination", _with_flower(), ids=lambda c: c.id)
def test_flower_needs_its_login_except_for_metrics(
    installed_project: Path, broker_target: BrokerTarget, tmp_path: Path
) -> None:
    """Pages and API answer 401 without the login and 200 with it; /metrics answers 200."""
    port = free_port()
    env = project_env(installed_project, {**broker_target.env(), "FLOWER_BASIC_AUTH": LOGIN})
    compose = load_compose(installed_project)
    own = service_environment(compose, "flower", env)
    env = {**env, **{name: value for name, value in own.items() if name not in env}}
    args = venv_args(installed_project, host_command(compose, "flower", env))
    # Listen on a free port of the loopback interface instead of 0.0.0.0:5555 in a container.
    args = [
        f"--port={port}" if arg.startswith("--port=") else arg
        for arg in args
        if not arg.startswith("--address=")
    ] + ["--address=127.0.0.1"]
    base = f"http://127.0.0.1:{port}"
    with running(args, installed_project, env, tmp_path / "flower.log") as flower:
        try:
            wait_until(lambda: _answers(f"{base}/healthcheck"), START_TIMEOUT, "Flower to answer")
        except TimeoutError as error:
            pytest.fail(f"{error}\n{_logs(flower)}")
        for path in ("/", "/tasks", "/broker", "/api/workers"):
            assert _status(base + path)[0] == 401, f"{path} answers without the login"
            assert _status(base + path, LOGIN)[0] == 200, f"{path} refuses the login"
        assert _status(base + "/", "tqgen:wrong-password")[0] == 401
        status, body = _status(base + "/metrics")
        assert status == 200, "/metrics needs the login: update the README"
        assert b"flower_" in body, body[:500]
