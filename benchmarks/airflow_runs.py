"""What a DAG run of a generated Airflow project costs: trigger to success on its own components.

Usage: python benchmarks/airflow_runs.py [--runs N] [--json PATH] [--broker B]

For each Airflow combination without a web app (the local executor, and the celery executor on
Redis; `--broker rabbitmq` adds RabbitMQ), renders the project (defaults otherwise), installs it
(`uv sync`) and starts its components once on the host as the e2e workflow test does
(`support.airflow_stack.AirflowStack`: a PostgreSQL database of its own; for celery a Redis
database or RabbitMQ vhost of its own). Then triggers the example DAG (`daily_totals`) through the
REST API N times, each run after the previous one ended (the DAG has `max_active_runs=1`), and
measures per run: trigger to run state `success` (wall clock), the sum of its task instances' own
durations (the API's `duration`), and the difference, what scheduling and hand-offs cost. A first
run, not counted, takes the one-off costs (the scheduled run the unpause creates, first imports).

Prints the stack's start-up timings and a Markdown table of medians (min-max) with the machine;
--json writes every run. Not part of the test suite; needs the test extra, PostgreSQL on
127.0.0.1:5432 and, for celery, Redis (and RabbitMQ) on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from support.airflow_settings import stack_settings
from support.airflow_stack import FINISHED_RUN_STATES, AirflowStack
from support.brokers import BrokerTarget, isolated_broker_if_any
from support.combinations import REPO_ROOT, Combination, supported_combinations
from support.processes import wait_until
from support.rendering import render_with_api
from support.uvenv import uv_sync
from tqgen_costs import machine

EXAMPLE_DAG = "daily_totals"
DEFAULT_BROKERS = ("none", "redis")
RUN_TIMEOUT = 300.0
# How often a run's state is polled: the resolution of the wall-clock figure.
POLL = 0.2
FIGURES = ("trigger_to_success_s", "tasks_s", "scheduling_s")
HEADINGS = ("trigger → success s", "tasks' own s", "scheduling and hand-offs s")


def timed_combinations(brokers: Sequence[str]) -> list[Combination]:
    """The Airflow combinations without a web app, on the chosen brokers (`none`: local)."""
    return [
        c
        for c in supported_combinations()
        if c.framework == "airflow" and c.web == "none" and c.broker in brokers
    ]


@contextmanager
def broker_target(combination: Combination) -> Iterator[BrokerTarget | None]:
    """A Redis database or RabbitMQ vhost of the benchmark's own; None for the local executor."""
    try:
        with isolated_broker_if_any(combination.broker) as target:
            yield target
    except (pytest.skip.Exception, pytest.fail.Exception) as unavailable:
        raise SystemExit(f"{combination.id}: {unavailable}") from None


def wait_until_idle(stack: AirflowStack) -> None:
    """Wait until no run of the DAG is queued or running (the scheduled one, say)."""

    def idle() -> bool:
        runs = stack.api("GET", f"/api/v2/dags/{EXAMPLE_DAG}/dagRuns")["dag_runs"]
        return all(run["state"] in FINISHED_RUN_STATES for run in runs)

    wait_until(idle, RUN_TIMEOUT, f"every run of {EXAMPLE_DAG} to end", interval=1)


def timed_run(stack: AirflowStack) -> dict[str, Any]:
    """Trigger one run and wait for it: its figures, and its task instances' own."""
    started = time.monotonic()
    run_id = stack.start_run(EXAMPLE_DAG)
    state = stack.wait_for_run(EXAMPLE_DAG, run_id, RUN_TIMEOUT, interval=POLL)
    wall = time.monotonic() - started
    instances = stack.task_instances(EXAMPLE_DAG, run_id)
    if state != "success":
        raise SystemExit(f"{EXAMPLE_DAG} run {run_id} ended {state}: {instances}\n{stack.logs()}")
    tasks = {i.task_id: i.duration or 0.0 for i in instances}
    return {
        "run_id": run_id,
        "trigger_to_success_s": round(wall, 3),
        "tasks_s": round(sum(tasks.values()), 3),
        "scheduling_s": round(wall - sum(tasks.values()), 3),
        "task_durations_s": tasks,
    }


def time_combination(combination: Combination, scratch: Path, runs: int) -> dict[str, Any]:
    """Render, install and start one combination's stack; time a first run and `runs` more."""
    print(f"{combination.id}: rendering and installing", file=sys.stderr)
    project = render_with_api(REPO_ROOT, scratch / combination.id, combination.data)
    uv_sync(project)
    airflow = project / ".venv" / "bin" / "airflow"
    with broker_target(combination) as target:
        password = secrets.token_urlsafe(16)
        env, commands = stack_settings(project, password, target)
        print(f"{combination.id}: starting the stack", file=sys.stderr)
        work = scratch / f"{combination.id}-stack"
        with AirflowStack(project, airflow, commands, env, work) as stack:
            # The project's login module replaced the stack's password with the one it was given.
            stack.password = password
            startup = {what: round(took, 1) for what, took in stack.timings.items()}
            print(f"{combination.id}: stack up: {startup}", file=sys.stderr)
            stack.wait_for_dag(EXAMPLE_DAG)
            stack.unpause(EXAMPLE_DAG)
            # Unpausing creates the run of the latest interval (catchup=False): let it end first.
            wait_until_idle(stack)
            first = timed_run(stack)
            print(f"{combination.id}: first run {first['trigger_to_success_s']} s", file=sys.stderr)
            timed = []
            for number in range(1, runs + 1):
                wait_until_idle(stack)
                timed.append(timed_run(stack))
                took = timed[-1]["trigger_to_success_s"]
                print(f"{combination.id}: run {number}/{runs}: {took} s", file=sys.stderr)
    return {"startup_s": startup, "first_run": first, "runs": timed}


def spread(values: Sequence[float]) -> str:
    """`median (min-max)`, in seconds."""
    return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})"


def runs_table(results: dict[str, dict[str, Any]]) -> str:
    """Markdown: per combination, the median (min-max) of each figure over its runs."""
    lines = [
        f"| combination | runs | {' | '.join(HEADINGS)} |",
        "| --- | ---: |" + " ---: |" * len(HEADINGS),
    ]
    for name, result in results.items():
        cells = [spread([run[figure] for run in result["runs"]]) for figure in FIGURES]
        lines.append(f"| {name} | {len(result['runs'])} | {' | '.join(cells)} |")
    return "\n".join(lines)


def startup_table(results: dict[str, dict[str, Any]]) -> str:
    """Markdown: per combination, the stack's start-up steps in seconds."""
    steps = list(next(iter(results.values()))["startup_s"])
    lines = [
        f"| combination | {' s | '.join(steps)} s |",
        "| --- |" + " ---: |" * len(steps),
    ]
    for name, result in results.items():
        cells = [f"{result['startup_s'][step]:.1f}" for step in steps]
        lines.append(f"| {name} | {' | '.join(cells)} |")
    return "\n".join(lines)


def main() -> int:
    """Time every combination's DAG runs, print the tables and the machine."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per stack (default 5)")
    parser.add_argument("--json", type=Path, help="also write every run to this file")
    parser.add_argument(
        "--broker",
        action="append",
        help="only this broker, `none` for the local executor (repeatable; default: none, redis)",
    )
    args = parser.parse_args()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="tqgen-airflow-runs-") as scratch_dir:
        for combination in timed_combinations(args.broker or DEFAULT_BROKERS):
            results[combination.id] = time_combination(combination, Path(scratch_dir), args.runs)
    print(f"\nStack start-up:\n\n{startup_table(results)}")
    print(f"\n{EXAMPLE_DAG}, medians (min-max) of {args.runs} runs:\n\n{runs_table(results)}")
    print(f"\nmachine: {machine()}")
    if args.json:
        payload = {"machine": machine(), "dag": EXAMPLE_DAG, "results": results}
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
