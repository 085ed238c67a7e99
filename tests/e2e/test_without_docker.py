"""The generated README's "Without Docker" commands, run as written with the .env it describes.

A copy of the project gets the `.env` the README asks for: `.env.example` copied, the values its
"Without Docker" lines name changed to what they say, DASHBOARD_PASSWORD set. Only the broker is
the test's own (a Redis database or RabbitMQ vhost of its own), and PORT and DASHBOARD_PORT free
ports (the README's commands read both). Then every line of the README's block runs, in order,
through a shell: the processes that keep running (worker, scheduler, dashboard, web app) in the
background. The round trip goes through the web app or the CLI; the web app and the dashboard
listen on 127.0.0.1 only, and the dashboard refuses a request without the login.
"""

from __future__ import annotations

import re
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from support.brokers import BrokerTarget
from support.combinations import Combination
from support.frameworks import FrameworkAdapter
from support.processes import free_port, listening_addresses, wait_until
from support.readme_commands import logs, readme_commands, run_commands, shell_env
from support.tiers import roundtrip_combinations
from support.uvenv import copy_project
from support.webclient import answers_ok, request_json

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("combination", roundtrip_combinations(), ids=lambda c: c.id),
]

START_TIMEOUT = 60
# The commands of the README that finish; every other one keeps running until stopped.
FINISHING = (re.compile(r"^uv sync$"), re.compile(r"manage\.py migrate"), re.compile(r"\.cli "))


def without_docker_env(project: Path, target: BrokerTarget) -> dict[str, str]:
    """`.env` as the README describes it, the broker the test's own; written, and returned."""
    example = (project / ".env.example").read_text()
    values = dict(re.findall(r"^(\w+)=(.*)$", example, re.MULTILINE))
    without_docker = example.split("# Without Docker", 1)[1]
    values |= dict(re.findall(r"^#\s+(\w+)=(\S*)", without_docker, re.MULTILINE))
    if "DASHBOARD_PASSWORD" in values:
        values["DASHBOARD_PASSWORD"] = "a-password-for-this-test"
    values |= target.env()
    (project / ".env").write_text("".join(f"{name}={value}\n" for name, value in values.items()))
    return values


def status_of(url: str, auth: tuple[str, str] | None = None) -> int:
    """The HTTP status of GET `url`, 0 while nothing answers."""
    import base64
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url)
    if auth is not None:
        token = base64.b64encode(":".join(auth).encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


def test_the_readme_commands_run_as_written(
    combination: Combination,
    adapter: FrameworkAdapter,
    installed_project: Path,
    broker_target: BrokerTarget,
    tmp_path: Path,
) -> None:
    """A round trip through the README's processes; web app and dashboard on 127.0.0.1 only."""
    project = copy_project(installed_project, tmp_path / installed_project.name)
    values = without_docker_env(project, broker_target)
    web_port, dashboard_port = free_port(), free_port()
    env = shell_env(project, {"PORT": str(web_port), "DASHBOARD_PORT": str(dashboard_port)})
    commands = readme_commands((project / "README.md").read_text())
    with ExitStack() as stack:
        groups, outputs = run_commands(commands, FINISHING, project, env, stack, tmp_path)
        if combination.web == "none":
            assert outputs[-1].strip() == "5", f"{outputs}\n{logs(groups)}"
        else:
            base = f"http://127.0.0.1:{web_port}"
            try:
                wait_until(lambda: answers_ok(f"{base}/health"), START_TIMEOUT, "the web app")
                status, body = request_json("POST", f"{base}/{adapter.units}/add", {"x": 2, "y": 3})
                assert status == 202, body
                task_url = f"{base}/{adapter.units}/{body[adapter.id_field]}"
                done_body = wait_until(
                    lambda: _finished(task_url, adapter), START_TIMEOUT, "the result"
                )
            except (AssertionError, TimeoutError) as error:
                pytest.fail(f"{error}\n{logs(groups)}")
            assert (done_body["state"], done_body["result"]) == (adapter.success_state, 5)
            assert listening_addresses(web_port) == {"127.0.0.1"}, "the web app listens beyond"
        if "DASHBOARD_PASSWORD" in values:
            base = f"http://127.0.0.1:{dashboard_port}"
            try:
                wait_until(lambda: status_of(base + "/"), START_TIMEOUT, "the dashboard")
            except TimeoutError as error:
                pytest.fail(f"{error}\n{logs(groups)}")
            assert status_of(base + "/") == 401, "the dashboard answers without the login"
            login = (values["DASHBOARD_USERNAME"], values["DASHBOARD_PASSWORD"])
            assert status_of(base + "/", login) == 200, logs(groups)
            assert listening_addresses(dashboard_port) == {"127.0.0.1"}


def _finished(url: str, adapter: FrameworkAdapter) -> dict[str, Any] | None:
    status, body = request_json("GET", url)
    assert status == 200, body
    return body if body["state"] in adapter.finished_states else None
