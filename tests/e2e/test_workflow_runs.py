"""An Airflow project's own components, run on the host, run its DAGs and recover from crashes.

One stack per combination (`support.airflow_stack.AirflowStack`: a PostgreSQL database, ports and
a JWT secret of the test's own), started from compose.yaml (`support.airflow_settings`): each
component's command, the api-server's with its entrypoint (the project's login module, which
writes the password the test hands it in AIRFLOW_ADMIN_PASSWORD), and compose's shared
`environment:`, so the project's shipped settings apply; with the celery executor the broker is
the test's own Redis database or RabbitMQ vhost, through compose's own override
(AIRFLOW_BROKER_URL). A start costs 40-60 s, so the checks run one after another on that stack:
each is timed and printed, a failed check does not stop the next, and the test fails at the end
with every failed check and the components' log tails. The probe DAGs
(tests/support/frameworks/airflow_probe/) are copied into the project copy's dags/.

Two settings differ from compose.yaml, and the stack owns both: every component gets the same
environment (in compose only the api-server sees AIRFLOW_ADMIN_PASSWORD), and the triggerer is
not started (no DAG here defers). Where compose.yaml does not set
`[scheduler] orphaned_tasks_check_interval` (Airflow's default: 300 s), the scheduler case
shortens it (ORPHAN_CHECK_INTERVAL): a scheduler started while its predecessor's heartbeat is
still fresh resets the predecessor's task instances only at that check.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support.airflow_settings import stack_settings
from support.airflow_stack import (
    CELERY_WORKER,
    AirflowStack,
    ApiError,
    TaskInstance,
    kill_pid,
    wait_for_pid_file,
)
from support.brokers import BrokerTarget
from support.combinations import Combination
from support.processes import wait_until
from support.tiers import workflow_combinations
from support.webclient import request_json

pytestmark = pytest.mark.e2e

EXAMPLE_DAG = "daily_totals"
FAILING_DAG, FAILING_TASK = "tqgen_probe_failing", "always_fails"
SLEEPY_DAG, SLEEPY_TASK = "tqgen_probe_sleepy", "record_and_sleep"
# How long the sleepy probe task sleeps: long enough to kill it mid-task.
SLEEP = 10
RUN_TIMEOUT = 120
# Airflow's defaults where compose.yaml sets nothing.
HEARTBEAT_DETECTION_INTERVAL = 10
ORPHAN_CHECK_INTERVAL = "10"
# Slack on a busy 2-core machine, over the delays the settings give.
SLACK = 45
# The crash cases per broker (`none`: the local executor); the task-process kill also with
# Celery on Redis. RabbitMQ runs the example and the failing probe only.
CRASH_CASES = {
    "none": ("task process kill", "supervisor kill", "scheduler kill"),
    "redis": ("task process kill",),
    "rabbitmq": (),
}


@dataclass
class Checks:
    """The checks run on one stack, one after another; each timed, its failure kept."""

    label: str
    stack: AirflowStack
    times: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @contextlib.contextmanager
    def check(self, name: str) -> Iterator[None]:
        """Run the block as check `name`: print its time, keep its failure with the log tails."""
        started = time.monotonic()
        outcome = "ok"
        try:
            yield
        except (AssertionError, TimeoutError, ApiError, OSError) as error:
            outcome = "FAILED"
            message = f"[{name}] {type(error).__name__}: {error}"
            if "\n--- " not in message:  # wait_for_run's timeout carries the logs already
                message += f"\n{self.stack.logs()}"
            self.failures.append(message)
        self.times[name] = time.monotonic() - started
        print(f"{self.label}: {name}: {outcome} in {self.times[name]:.1f} s", flush=True)


def hook_line(home: Path, dag_id: str, task_id: str, run_id: str) -> Path | None:
    """A log file under AIRFLOW_HOME/logs in which the failure hook logged this task instance."""
    wanted = f"dag_id={dag_id} task_id={task_id} run_id={run_id}"
    for log in sorted((home / "logs").rglob("*")):
        if log.is_file() and wanted in log.read_text(errors="replace"):
            return log
    return None


def executions(record: Path) -> int:
    """How many times the sleepy probe task started (one pid a line)."""
    return len(record.read_text().split()) if record.exists() else 0


def tries_text(tries: list[TaskInstance]) -> str:
    """The tries as `[(try, state), ...]`, for messages."""
    return str([(t.try_number, t.state) for t in tries])


class SleepyRun:
    """A run of the sleepy probe, its task killed or its scheduler restarted while it sleeps."""

    def __init__(self, stack: AirflowStack, work: Path, name: str) -> None:
        self.stack, self.record = stack, work / f"{name.replace(' ', '-')}.pids"
        conf = {"record": str(self.record), "seconds": SLEEP}
        self.run_id = stack.trigger(SLEEPY_DAG, conf)

    def task_pid(self) -> int:
        """The running task's pid, once the task has written it (the API and the task agree)."""
        pid = self.stack.task_process(SLEEPY_DAG, self.run_id, SLEEPY_TASK)
        written = wait_for_pid_file(self.record)
        assert pid == written, f"the API's task pid {pid} is not the one the task wrote, {written}"
        return pid

    def tries(self) -> list[TaskInstance]:
        """Every try of the task so far."""
        return self.stack.tries(SLEEPY_DAG, self.run_id, SLEEPY_TASK)

    def wait_for_retry(self, timeout: float, why: str) -> float:
        """Seconds until try 2 or later runs (or has succeeded); fails early if the run fails."""
        started = time.monotonic()

        def retried() -> bool:
            instance = self.stack.task_instance(SLEEPY_DAG, self.run_id, SLEEPY_TASK)
            if instance.try_number >= 2 and instance.state in {"running", "success"}:
                return True
            if self.stack.run_state(SLEEPY_DAG, self.run_id) == "failed":
                raise AssertionError(
                    f"the run failed instead of retrying the task ({why}): "
                    f"tries {tries_text(self.tries())}"
                )
            return False

        try:
            wait_until(retried, timeout, f"try 2 of {SLEEPY_TASK} to run ({why})", interval=0.5)
        except TimeoutError as error:
            raise AssertionError(f"{error}; tries {tries_text(self.tries())}") from None
        return time.monotonic() - started

    def wait_for_success(self, timeout: float, what: str) -> list[TaskInstance]:
        """Wait for the run to end; assert it succeeded. Every try of the task."""
        state = self.stack.wait_for_run(SLEEPY_DAG, self.run_id, timeout)
        tries = self.tries()
        assert state == "success", (
            f"{what}: run {self.run_id} ended {state}; tries {tries_text(tries)}; "
            f"the task started {executions(self.record)} times"
        )
        return tries


def check_example_dag(stack: AirflowStack, decoy_password: str, target: BrokerTarget | None) -> str:
    """The example DAG runs through the REST API with the login (on the Celery worker of the
    test's own broker); no token, no access."""
    status, body = request_json("GET", f"{stack.base_url}/api/v2/dags")
    assert status in {401, 403}, f"GET /api/v2/dags without a token answered {status}: {body}"
    credentials = {"username": stack.username, "password": decoy_password}
    status, body = request_json("POST", f"{stack.base_url}/auth/token", credentials)
    assert status in {401, 403}, (
        f"POST /auth/token with the password the login module replaced answered {status}: the"
        " project's login module did not write AIRFLOW_ADMIN_PASSWORD into the passwords file"
    )
    run_id = stack.trigger(EXAMPLE_DAG)
    state = stack.wait_for_run(EXAMPLE_DAG, run_id, RUN_TIMEOUT)
    instances = stack.task_instances(EXAMPLE_DAG, run_id)
    assert state == "success", f"{EXAMPLE_DAG} run {run_id} ended {state}: {instances}"
    stored = sorted((stack.home / "data" / EXAMPLE_DAG).glob("*.json"))
    assert stored, f"{EXAMPLE_DAG} succeeded but stored no result under {stack.home / 'data'}"
    if target is not None:
        broker = urlsplit(target.broker_url)
        where = f"@{broker.hostname}:{broker.port}{broker.path}"
        worker = stack.component(CELERY_WORKER).current.output()
        connected = [line for line in worker.splitlines() if "Connected to" in line]
        assert any(where in line for line in connected), (
            f"the Celery worker did not connect to the test's broker ...{where}: {connected}"
        )
    return f"{[(i.task_id, i.state) for i in instances]}, stored {stored[0].name}"


def check_failing_task(stack: AirflowStack) -> str:
    """The always-failing probe ends failed after its retries; the failure hook logged it."""
    run_id = stack.trigger(FAILING_DAG)
    state = stack.wait_for_run(FAILING_DAG, run_id, RUN_TIMEOUT)
    tries = stack.tries(FAILING_DAG, run_id, FAILING_TASK)
    retries = int(stack.api("GET", f"/api/v2/dags/{FAILING_DAG}/tasks/{FAILING_TASK}")["retries"])
    assert state == "failed", f"the failing probe's run ended {state}: tries {tries_text(tries)}"
    assert [t.state for t in tries] == ["failed"] * (retries + 1), (
        f"expected {retries + 1} failed tries (retries={retries}): {tries_text(tries)}"
    )
    try:
        log = wait_until(
            lambda: hook_line(stack.home, FAILING_DAG, FAILING_TASK, run_id),
            30,
            "the failure hook's log line",
            interval=1,
        )
    except TimeoutError:
        raise AssertionError(
            f"the failure hook (callbacks.log_failure) logged no line with dag_id={FAILING_DAG} "
            f"task_id={FAILING_TASK} run_id={run_id} under {stack.home / 'logs'}"
        ) from None
    return f"tries {tries_text(tries)}; hook logged in {log.relative_to(stack.home)}"


def check_task_process_kill(stack: AirflowStack, work: Path) -> str:
    """SIGKILL of the task process mid-task: its supervisor fails the try, the next one runs."""
    run = SleepyRun(stack, work, "task process kill")
    kill_pid(run.task_pid())
    killed = time.monotonic()
    retried = run.wait_for_retry(60, "task process killed")
    tries = run.wait_for_success(RUN_TIMEOUT, "task process killed")
    done = time.monotonic() - killed
    assert executions(run.record) >= 2, f"the task did not run again: {tries_text(tries)}"
    return f"try 2 ran {retried:.1f} s after the kill, run succeeded after {done:.1f} s"


def check_supervisor_kill(stack: AirflowStack, work: Path, heartbeat_timeout: float) -> str:
    """SIGKILL of the supervisor mid-task: after the shipped heartbeat timeout the try is failed
    and the next one runs."""
    run = SleepyRun(stack, work, "supervisor kill")
    kill_pid(stack.supervisor_process(run.task_pid()))
    killed = time.monotonic()
    within = heartbeat_timeout + HEARTBEAT_DETECTION_INTERVAL + SLACK
    retried = run.wait_for_retry(
        within, f"supervisor killed, heartbeat timeout {heartbeat_timeout}"
    )
    tries = run.wait_for_success(RUN_TIMEOUT, "supervisor killed")
    done = time.monotonic() - killed
    assert executions(run.record) >= 2, f"the task did not run again: {tries_text(tries)}"
    return (
        f"try 2 ran {retried:.1f} s after the kill (heartbeat timeout {heartbeat_timeout:.0f} s),"
        f" run succeeded after {done:.1f} s"
    )


def check_scheduler_kill(stack: AirflowStack, work: Path, heartbeat_timeout: float) -> str:
    """The scheduler's whole session SIGKILLed mid-task (its container dying, LocalExecutor's
    task processes with it) and a new scheduler started: the run succeeds; the task may have
    run twice, which is why tasks are idempotent."""
    run = SleepyRun(stack, work, "scheduler kill")
    run.task_pid()
    stack.kill_component("scheduler")
    killed = time.monotonic()
    stack.start_component("scheduler")
    tries = run.wait_for_success(heartbeat_timeout + RUN_TIMEOUT + SLACK, "scheduler killed")
    done = time.monotonic() - killed
    runs = executions(run.record)
    assert runs >= 1, f"the task never recorded an execution: {tries_text(tries)}"
    return (
        f"run succeeded {done:.1f} s after the kill; the task ran {runs} times, {tries_text(tries)}"
    )


@pytest.mark.parametrize("combination", workflow_combinations(), ids=lambda c: c.id)
def test_runs_and_crashes_on_real_components(
    combination: Combination,
    probe_project: Path,
    broker_target: BrokerTarget | None,
    tmp_path: Path,
) -> None:
    """On the project's components started from compose.yaml: the example DAG triggered through
    the REST API with the configured login succeeds and no token is refused; a task that always
    fails ends failed after its retries with the failure hook's log line; and the crash cases of
    CRASH_CASES (the task process, the supervisor with the shipped heartbeat timeout, the
    scheduler restarted mid-run) each end in a successful run."""
    password = secrets.token_urlsafe(16)
    env, commands = stack_settings(probe_project, password, broker_target)
    heartbeat_timeout = float(env["AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT"])
    orphan_check = "shipped"
    if "AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL" not in env:
        env["AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL"] = ORPHAN_CHECK_INTERVAL
        orphan_check = f"shortened to {ORPHAN_CHECK_INTERVAL} s (compose.yaml sets none)"
    airflow = probe_project / ".venv" / "bin" / "airflow"
    label = combination.id
    started = time.monotonic()
    with AirflowStack(probe_project, airflow, commands, env, tmp_path / "stack") as stack:
        print(
            f"{label}: stack up: migrate {stack.timings['migrate']:.1f} s, healthy after "
            f"{stack.timings['healthy']:.1f} s more, execution API built by every API worker "
            f"{stack.timings['execution API built']:.1f} s later; "
            f"orphaned_tasks_check_interval {orphan_check}",
            flush=True,
        )
        # The stack wrote its own password into the passwords file before it started anything;
        # the project's login module replaced it with AIRFLOW_ADMIN_PASSWORD.
        decoy_password, stack.password = stack.password, password
        checks = Checks(label, stack)
        with checks.check("example DAG through the REST API"):
            print(f"{label}: {check_example_dag(stack, decoy_password, broker_target)}")
        with checks.check("failing task"):
            print(f"{label}: {check_failing_task(stack)}")
        crashes = CRASH_CASES[combination.broker]
        work = tmp_path / "probe"
        if "task process kill" in crashes:
            with checks.check("task process kill"):
                print(f"{label}: {check_task_process_kill(stack, work)}")
        if "supervisor kill" in crashes:
            with checks.check("supervisor kill"):
                print(f"{label}: {check_supervisor_kill(stack, work, heartbeat_timeout)}")
        if "scheduler kill" in crashes:
            with checks.check("scheduler kill"):
                print(f"{label}: {check_scheduler_kill(stack, work, heartbeat_timeout)}")
        stopping = time.monotonic()
    stop = time.monotonic() - stopping
    times = ", ".join(f"{name} {took:.0f} s" for name, took in checks.times.items())
    print(f"{label}: {times}; stop {stop:.0f} s; total {time.monotonic() - started:.0f} s")
    if checks.failures:
        pytest.fail("\n\n".join(checks.failures), pytrace=False)
