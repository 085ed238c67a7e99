"""The dashboard, started with its compose command and environment, asks for its login.

Every framework whose combination ships a dashboard (the adapter's `dashboard`): run on the host
with the login given to compose, which hands it to `python -m <module>.dashboard` through the
service's `environment:`, each guarded path answers 401 without the login and with a wrong
password, 200 with it; each path the generated README documents as open answers 200 without it.
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
from support.frameworks import FrameworkAdapter, adapter_for
from support.processes import ProcessGroup, free_port, running, wait_until
from support.tiers import roundtrip_combinations
from support.uvenv import project_env, venv_args

pytestmark = pytest.mark.e2e

USERNAME, PASSWORD = "tqgen", "dashboard-test-password"
START_TIMEOUT = 30


def _with_dashboard() -> list[Combination]:
    """One end-to-end combination per framework whose answers ship a dashboard."""
    chosen: dict[str, Combination] = {}
    for combination in roundtrip_combinations():
        if adapter_for(combination.framework).dashboard(combination) is not None:
            chosen.setdefault(combination.framework, combination)
    return list(chosen.values())


def _status(url: str, login: tuple[str, str] | None = None) -> tuple[int, bytes]:
    """GET `url`, with basic auth when `login` is given: the status and the body."""
    request = urllib.request.Request(url)
    if login is not None:
        token = base64.b64encode(":".join(login).encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _answers(url: str) -> bool:
    """Whether anything answers HTTP at `url`, whatever the status."""
    try:
        _status(url)
    except OSError:
        return False
    return True


def _logs(dashboard: ProcessGroup) -> str:
    return f"--- {dashboard.log.name}\n{dashboard.output()[-4000:]}"


@pytest.mark.parametrize("combination", _with_dashboard(), ids=lambda c: c.id)
def test_dashboard_needs_its_login_except_for_the_open_paths(
    combination: Combination,
    adapter: FrameworkAdapter,
    installed_project: Path,
    broker_target: BrokerTarget,
    tmp_path: Path,
) -> None:
    """Guarded paths answer 401 without the login or with a wrong password, 200 with it; the
    README's open paths answer 200 without it."""
    dashboard = adapter.dashboard(combination)
    assert dashboard is not None
    compose = load_compose(installed_project)
    # The login goes to compose only: the dashboard gets it through the service's environment.
    login = {"DASHBOARD_USERNAME": USERNAME, "DASHBOARD_PASSWORD": PASSWORD}
    broker = broker_target.env()
    compose_env = project_env(installed_project, {**broker, **login})
    own = service_environment(compose, dashboard.service, compose_env)
    # A free port of the loopback interface instead of all interfaces of a container.
    port = free_port()
    address = {"DASHBOARD_HOST": "127.0.0.1", "DASHBOARD_PORT": str(port)}
    env = project_env(
        installed_project,
        {**broker, **{k: v for k, v in own.items() if k not in broker}, **address},
    )
    args = venv_args(installed_project, host_command(compose, dashboard.service, compose_env))
    base = f"http://127.0.0.1:{port}"
    readme = (installed_project / "README.md").read_text()
    with running(args, installed_project, env, tmp_path / f"{dashboard.service}.log") as group:
        try:
            first = base + dashboard.guarded[0]
            wait_until(lambda: _answers(first), START_TIMEOUT, f"{dashboard.service} to answer")
        except TimeoutError as error:
            pytest.fail(f"{error}\n{_logs(group)}")
        for path in dashboard.guarded:
            assert _status(base + path)[0] == 401, f"{path} answers without the login"
            wrong = _status(base + path, (USERNAME, "wrong-password"))[0]
            assert wrong == 401, f"{path} answers {wrong} to a wrong password"
            right = _status(base + path, (USERNAME, PASSWORD))[0]
            assert right == 200, f"{path} answers {right} to the login\n{_logs(group)}"
        for path, expected in dashboard.open.items():
            status, body = _status(base + path)
            assert status == 200, f"{path} needs the login: update the README"
            assert expected in body, body[:500]
            assert f"`{path}`" in readme, f"the README does not say that {path} is open"
