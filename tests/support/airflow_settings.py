"""What an `AirflowStack` is started with, read from a project's compose.yaml.

The e2e workflow test and the DAG-run benchmark (benchmarks/airflow_runs.py) start the same
stack: each component's command as compose runs it (the api-server's with its entrypoint, the
project's login module) and compose's shared `environment:`, so the project's shipped settings
apply; with the celery executor the broker is the caller's, through compose's own override
(AIRFLOW_BROKER_URL).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from support.airflow_stack import fernet_key
from support.brokers import BrokerTarget
from support.compose import host_entrypoint_command, is_exec_form, load_compose, services
from support.compose import service_environment as compose_service_environment


def compose_commands(project: Path, env: Mapping[str, str]) -> dict[str, list[str]]:
    """Every compose service with an exec-form command: its entrypoint (if any) and command.

    The stack recognises Airflow's components among them and ignores the rest (redis...).
    """
    compose = load_compose(project)
    return {
        name: host_entrypoint_command(compose, name, env)
        for name, service in services(compose).items()
        if is_exec_form(service.get("command"))
    }


def stack_settings(
    project: Path, password: str, target: BrokerTarget | None
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The base environment (the host's, plus compose's for the api-server) and the commands."""
    variables = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("AIRFLOW") and name != "VIRTUAL_ENV"
    }
    variables |= {"AIRFLOW_ADMIN_PASSWORD": password, "AIRFLOW_FERNET_KEY": fernet_key()}
    if target is not None:
        variables["AIRFLOW_BROKER_URL"] = target.broker_url
    # The api-server's environment is compose's shared one plus the login's variables.
    env = variables | compose_service_environment(load_compose(project), "api-server", variables)
    return env, compose_commands(project, variables)
