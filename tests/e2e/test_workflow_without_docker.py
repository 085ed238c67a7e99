"""A workflow project's README "Without Docker" commands, run as written, start a working Airflow.

A copy of the project gets the `.env` the README asks for: `.env.example` copied, its secrets set,
and the addresses its "Without Docker" lines name pointed at what this test owns: a PostgreSQL
database (AIRFLOW_DATABASE_URL), free ports for the API server and the log servers. Then every
line of the README's block runs through a shell, in order: `uv sync` and the migration to their
end, the components in the background. The API server must listen on 127.0.0.1 only, refuse a
wrong password and a request without a token, and run the example DAG to success for the admin
of `.env`. One combination per workflow framework: the other combinations run the same commands
through compose.yaml in test_workflow_runs.py.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from support.airflow_stack import API_CALL_TIMEOUT, fernet_key
from support.combinations import Combination
from support.databases import isolated_database
from support.processes import free_port, listening_addresses, wait_until
from support.readme_commands import logs, readme_commands, run_commands, shell_env
from support.tiers import workflow_combinations
from support.uvenv import copy_project
from support.webclient import request_json

pytestmark = pytest.mark.e2e


def _first_per_framework() -> list[Combination]:
    firsts: dict[str, Combination] = {}
    for combination in workflow_combinations():
        firsts.setdefault(combination.framework, combination)
    return list(firsts.values())


EXAMPLE_DAG = "daily_totals"
START_TIMEOUT = 180
RUN_TIMEOUT = 180
# The README lines that finish; every other one keeps running until stopped.
FINISHING = (re.compile(r"^uv sync$"), re.compile(r"\.host migrate$"))
POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432"


def write_env(project: Path, database: str) -> dict[str, str]:
    """`.env` from `.env.example`, secrets set, this test's database and ports; returned."""
    values = dict(re.findall(r"^(\w+)=(.*)$", (project / ".env.example").read_text(), re.M))
    secrets_of_the_test = {
        "AIRFLOW_JWT_SECRET": secrets.token_hex(64),
        "AIRFLOW_API_SECRET_KEY": secrets.token_hex(32),
        "AIRFLOW_FERNET_KEY": fernet_key(),
        "AIRFLOW_ADMIN_PASSWORD": secrets.token_urlsafe(16),
        "POSTGRES_PASSWORD": secrets.token_urlsafe(16),
    }
    missing = {name for name, value in values.items() if not value} - set(secrets_of_the_test)
    assert not missing, f".env.example leaves secrets this test does not know: {sorted(missing)}"
    values |= secrets_of_the_test
    values |= {
        "AIRFLOW_DATABASE_URL": f"{POSTGRES}/{database}",
        "AIRFLOW_API_PORT": str(free_port()),
        "AIRFLOW_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW_TRIGGERER_LOG_SERVER_PORT": str(free_port()),
    }
    (project / ".env").write_text("".join(f"{name}={value}\n" for name, value in values.items()))
    return values


def healthy(base: str) -> bool:
    """Whether the API server answers and every component it reports on is healthy."""
    try:
        status, body = request_json("GET", f"{base}/api/v2/monitor/health", timeout=5)
    except OSError:
        return False
    if status != 200 or not isinstance(body, dict):
        return False
    return all(part.get("status") == "healthy" for part in body.values() if isinstance(part, dict))


def token(base: str, username: str, password: str) -> tuple[int, Any]:
    return request_json("POST", f"{base}/auth/token", {"username": username, "password": password})


@pytest.fixture
def database() -> Iterator[str]:
    with isolated_database() as target:
        yield target.name


@pytest.mark.parametrize("combination", _first_per_framework(), ids=lambda c: c.id)
def test_the_readme_commands_start_airflow_with_its_login(
    combination: Combination, installed_project: Path, database: str, tmp_path: Path
) -> None:
    """The README's components on this machine: login enforced, 127.0.0.1 only, a run succeeds."""
    project = copy_project(installed_project, tmp_path / installed_project.name)
    values = write_env(project, database)
    env = shell_env(project, {})
    commands = readme_commands((project / "README.md").read_text())
    with ExitStack() as stack:
        groups, _ = run_commands(commands, FINISHING, project, env, stack, tmp_path)
        port = int(values["AIRFLOW_API_PORT"])
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: healthy(base), START_TIMEOUT, "every component healthy")
        except TimeoutError as error:
            pytest.fail(f"{error}\n{logs(groups)}")
        assert listening_addresses(port) == {"127.0.0.1"}, "the API server listens beyond"

        username, password = values["AIRFLOW_ADMIN_USERNAME"], values["AIRFLOW_ADMIN_PASSWORD"]
        status, _ = token(base, username, password + "-wrong")
        assert status == 401, f"a wrong password got {status}"
        status, body = request_json("GET", f"{base}/api/v2/dags")
        assert status in (401, 403), f"the API answered {status} without a token"
        status, body = token(base, username, password)
        assert status in (200, 201), f"the login of .env was refused: {status} {body}"
        headers = {"Authorization": f"Bearer {body['access_token']}"}

        def api(method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
            # An API server worker answers nothing while it builds its execution API (the first
            # task's calls make it): polls wait that out.
            status, answer = request_json(
                method, f"{base}{path}", payload, API_CALL_TIMEOUT, headers
            )
            assert status < 300, f"{method} {path}: {status} {answer}\n{logs(groups)}"
            return answer

        dag = f"/api/v2/dags/{EXAMPLE_DAG}"
        wait_until(
            lambda: request_json("GET", base + dag, headers=headers)[0] == 200,
            START_TIMEOUT,
            f"the DAG processor to parse {EXAMPLE_DAG}",
        )
        api("PATCH", dag, {"is_paused": False})
        run = api("POST", f"{dag}/dagRuns", {"logical_date": None})["dag_run_id"]

        def finished() -> str | None:
            state = api("GET", f"{dag}/dagRuns/{run}")["state"]
            return str(state) if state in ("success", "failed") else None

        try:
            state = wait_until(finished, RUN_TIMEOUT, f"run {run}", interval=1)
        except TimeoutError as error:
            pytest.fail(f"{error}\n{logs(groups)}")
        assert state == "success", logs(groups)
