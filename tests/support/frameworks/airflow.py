"""The Airflow template as the tiers see it: hardened settings, services, and its workflow tier.

Airflow is a workflow engine, not a task queue: a project has no web app or CLI of its own that
sends work, so the round-trip and worker-crash tiers do not apply (`FrameworkAdapter` gives them
nothing). Its own tier starts the components on the host from compose.yaml's commands, triggers
DAG runs through the REST API with the configured login, and kills task processes, their
supervisors and the scheduler (tests/e2e/test_workflow_runs.py). Every hardened setting is an
`AIRFLOW__...` line of compose.yaml's shared environment; the DAG's own idioms are lines of the
example DAG.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from support.combinations import Combination
from support.frameworks.base import FrameworkAdapter
from support.hardening import HardenedSetting, Wiring

# Brokers as combinations name them: `none` is the local executor's.
EVERY_EXECUTOR = ("none", "redis", "rabbitmq")
CELERY_EXECUTOR = ("redis", "rabbitmq")
COMPOSE = ("compose.yaml",)
DAGS = ("dags/*.py",)
# The probe DAGs the workflow tests copy into a project copy's dags/.
PROBE_DAGS = Path(__file__).parent / "airflow_probe" / "tqgen_probe.py"


def compose_line(variable: str, brokers: tuple[str, ...] = EVERY_EXECUTOR) -> HardenedSetting:
    """The compose.yaml line that sets Airflow's `variable` for every component."""
    pattern = re.compile(rf"^\s+{re.escape(variable)}:")
    return HardenedSetting(variable.removeprefix("AIRFLOW__").lower(), pattern, brokers, COMPOSE)


HARDENED = (
    compose_line("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS"),
    compose_line("AIRFLOW__CORE__PARALLELISM"),
    compose_line("AIRFLOW__API__WORKERS"),
    compose_line("AIRFLOW__CORE__LOAD_EXAMPLES"),
    compose_line("AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"),
    compose_line("AIRFLOW__SCHEDULER__CATCHUP_BY_DEFAULT"),
    compose_line("AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT"),
    compose_line("AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_THRESHOLD"),
    compose_line("AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL"),
    compose_line("AIRFLOW__API__EXPOSE_CONFIG"),
    compose_line("AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER", CELERY_EXECUTOR),
    compose_line("AIRFLOW__CELERY__TASK_ACKS_LATE", CELERY_EXECUTOR),
    compose_line("AIRFLOW__CELERY__WORKER_CONCURRENCY", CELERY_EXECUTOR),
    compose_line("AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT", ("redis",)),
)

# The example DAG's idioms that a later edit could drop while the DAG still runs: each line is
# deleted (replaced by nothing) and the DAG integrity tests must fail.
DAG_TESTS = "tests/test_dags.py"


def dag_line(name: str, pattern: str) -> Wiring:
    """A whole line of the example DAG, matched by `pattern`, that the DAG tests must miss."""
    return Wiring(name, re.compile(pattern), "", ("none",), DAG_TESTS, DAGS)


WIRING = (
    dag_line("catchup", r"^\s+catchup=False,$"),
    dag_line("max_active_runs", r"^\s+max_active_runs=\d+,$"),
    dag_line("owner", r'^\s+"owner": .+,$'),
    dag_line("retries", r'^\s+"retries": \d+,$'),
    dag_line("execution_timeout", r'^\s+"execution_timeout": .+,$'),
    dag_line("on_failure_callback", r'^\s+"on_failure_callback": .+,$'),
)


class AirflowAdapter(FrameworkAdapter):
    """Airflow 3: the local executor (no broker) or the celery executor on Redis or RabbitMQ."""

    name: ClassVar[str] = "airflow"
    # The example DAG: the module a user edits first (`dags/<definitions>.py`).
    definitions: ClassVar[str] = "daily_totals"

    def definitions_module(self, project: Path) -> Path:
        """The example DAG's file, in the DAG folder rather than the package."""
        return project / "dags" / f"{self.definitions}.py"

    def hardened_settings(self, combination: Combination) -> tuple[HardenedSetting, ...]:
        """The lines above that the combination's executor (and broker) has."""
        return tuple(s for s in HARDENED if combination.broker in s.brokers)

    def wiring(self, combination: Combination) -> tuple[Wiring, ...]:
        """The example DAG's idioms."""
        return WIRING

    def compose_services(self, combination: Combination) -> Mapping[str, bool]:
        """The metadata database, the migration, Airflow's four components; with the celery
        executor its broker and workers; never a web app or dashboard of the project's own."""
        celery = combination.answers.get("executor") == "celery"
        return {
            "postgres": True,
            "migrate": True,
            "api-server": True,
            "scheduler": True,
            "dag-processor": True,
            "triggerer": True,
            "worker": celery,
            "redis": combination.broker == "redis",
            "rabbitmq": combination.broker == "rabbitmq",
            "web": False,
            "dashboard": False,
        }

    def image_service(self, combination: Combination) -> str:
        """The celery executor's worker; the local executor's scheduler runs the tasks."""
        return "worker" if combination.answers.get("executor") == "celery" else "scheduler"

    def option_variants(self, combinations: Sequence[Combination]) -> list[Combination]:
        """None: the questionnaire asks Airflow no yes/no question."""
        return []

    def workflow_combinations(self, combinations: Sequence[Combination]) -> list[Combination]:
        """Every executor and broker: the end-to-end combinations."""
        return self.e2e_combinations(combinations)

    def install_probe(self, project: Path) -> None:
        """Copy the probe DAGs into the project's DAG folder (the template ships no test DAG)."""
        shutil.copy2(PROBE_DAGS, project / "dags" / PROBE_DAGS.name)
