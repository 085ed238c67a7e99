"""Probe DAGs written into a generated project's `dags/` by tqgen's harness for its workflow tests.

The DAG processor parses them beside the example DAG, with the project's configuration; the
template carries no test-only DAG. Both DAGs use the project's own failure hook
(`<package>.callbacks.log_failure`, the package found in the project's `src/`) and retry after
1 s, so that a test waits for the recovery it checks, not for a retry delay.

- `tqgen_probe_failing`: `always_fails` raises on every try.
- `tqgen_probe_sleepy`: `record_and_sleep` appends its pid to the file `conf["record"]` each time
  it runs (a task that ran twice shows two lines), then sleeps `conf["seconds"]`: the crash tests
  kill its processes while it sleeps.
"""

import importlib
import os
import time
from datetime import datetime, timedelta
from pathlib import Path

from airflow.sdk import dag, get_current_context, task

# The tries after the first: the test reads the bound back through the REST API.
RETRIES = 2
PROJECT = Path(__file__).resolve().parents[1]
PACKAGE = next(init.parent.name for init in sorted((PROJECT / "src").glob("*/__init__.py")))
log_failure = importlib.import_module(f"{PACKAGE}.callbacks").log_failure

DEFAULT_ARGS = {
    "owner": "tqgen",
    "retries": RETRIES,
    "retry_delay": timedelta(seconds=1),
    "on_failure_callback": log_failure,
}
# Each probe DAG: triggered by the tests only, with the project's failure hook.
probe_dag = dag(
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["tqgen-probe"],
)


@probe_dag
def tqgen_probe_failing() -> None:
    """One task that fails on every try."""

    @task
    def always_fails() -> None:
        raise RuntimeError("tqgen probe: this task always fails")

    always_fails()


@probe_dag
def tqgen_probe_sleepy() -> None:
    """One task that records each execution, then sleeps while a test kills something."""

    @task
    def record_and_sleep() -> None:
        conf = get_current_context()["dag_run"].conf or {}
        record = Path(conf["record"])
        record.parent.mkdir(parents=True, exist_ok=True)
        with record.open("a") as out:
            out.write(f"{os.getpid()}\n")
        time.sleep(float(conf.get("seconds", 10)))

    record_and_sleep()


tqgen_probe_failing()
tqgen_probe_sleepy()
