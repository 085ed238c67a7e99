"""A worker killed mid-task loses nothing: its tasks run again on the next worker.

The harness writes its own probe task (`tqgen_probe.py`) into a copy of the generated project
and starts the documented compose worker command plus `--include tqgen_probe`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support.brokers import BrokerTarget, isolated_broker
from support.combinations import Combination, supported_combinations
from support.compose import host_command, load_compose, option_value
from support.processes import ProcessGroup, running, wait_until
from support.redis_client import RedisClient
from support.rendering import RenderedProjects
from support.uvenv import copy_project, project_env, run_in_project, uv_sync, venv_args

pytestmark = pytest.mark.e2e

PROBE_DIR = Path(__file__).parent / "probe"
TASKS = 3
# Redis redelivers an unacknowledged task after the visibility timeout: keep it short so the
# test is quick, but longer than it takes to see a task start and kill the worker.
VISIBILITY_TIMEOUT, RESTORE_INTERVAL = 5, 1
START_TIMEOUT, FINISH_TIMEOUT = 60, 120
# How long a probe task waits for its gate before giving up (bounds a stuck run).
GATE_TIMEOUT = FINISH_TIMEOUT


def _one_per_broker() -> list[Combination]:
    """The first supported combination of each broker (one web choice each is enough)."""
    first: dict[str, Combination] = {}
    for combination in supported_combinations():
        first.setdefault(combination.broker, combination)
    return list(first.values())


def _starts(target: BrokerTarget, key: str) -> list[str]:
    with RedisClient(target.results_db) as client:
        return client.execute("LRANGE", key, "0", "-1")


def _open_gate(target: BrokerTarget, gate: str) -> None:
    with RedisClient(target.results_db) as client:
        client.execute("SET", gate, "open")


def _app_of(worker_args: list[str]) -> str:
    app = option_value(worker_args, "-A") or option_value(worker_args, "--app")
    assert app, f"the worker command names no app: {worker_args}"
    return app


def _logs(*groups: ProcessGroup) -> str:
    return "\n".join(f"--- {g.log.name}\n{g.output()[-4000:]}" for g in groups)


@pytest.mark.parametrize("combination", _one_per_broker(), ids=lambda c: c.id)
class TestWorkerKill:
    """SIGKILL of the whole worker process group while tasks run."""

    def test_tasks_survive(
        self, combination: Combination, rendered_projects: RenderedProjects, tmp_path: Path
    ) -> None:
        """Every submitted task ends SUCCESS, and each task running at the kill runs again."""
        project = copy_project(rendered_projects.get(combination), tmp_path / "project")
        shutil.copy2(PROBE_DIR / "tqgen_probe.py", project / "src" / "tqgen_probe.py")
        uv_sync(project)
        with isolated_broker(combination.broker) as target:
            extra = {
                **target.env(),
                "TQGEN_PROBE_REDIS_URL": target.results_url,
                "PYTHONPATH": str(project / "src"),
            }
            if combination.broker == "redis":
                extra["BROKER_VISIBILITY_TIMEOUT"] = str(VISIBILITY_TIMEOUT)
                extra["BROKER_UNACKED_RESTORE_INTERVAL"] = str(RESTORE_INTERVAL)
            env = project_env(project, extra)
            compose = load_compose(project)
            worker_args = [
                *venv_args(project, host_command(compose, "worker", env)),
                "--include",
                "tqgen_probe",
            ]
            client = [str(PROBE_DIR / "celery_client.py"), _app_of(worker_args)]
            key, gate = f"tqgen-probe-{combination.id}", f"tqgen-gate-{combination.id}"

            with running(worker_args, project, env, tmp_path / "worker-1.log") as first:
                submitted = run_in_project(
                    project,
                    ["python", *client, "submit", key, gate, str(GATE_TIMEOUT), str(TASKS)],
                    extra,
                )
                assert submitted.returncode == 0, submitted.stderr
                task_ids = json.loads(submitted.stdout)
                try:
                    wait_until(lambda: _starts(target, key), START_TIMEOUT, "a probe task to start")
                except TimeoutError as error:
                    pytest.fail(f"{error}\n{_logs(first)}")
                killed_mid_task = set(_starts(target, key))
                first.kill()
            # Only now may tasks finish: none of them can have finished on the killed worker.
            _open_gate(target, gate)

            with running(worker_args, project, env, tmp_path / "worker-2.log") as second:
                waited = run_in_project(
                    project,
                    ["python", *client, "wait", str(FINISH_TIMEOUT), *task_ids],
                    extra,
                    timeout=FINISH_TIMEOUT + 60,
                )
                assert waited.returncode == 0, waited.stderr + _logs(first, second)
                outcome = json.loads(waited.stdout)
                states = {task_id: result["state"] for task_id, result in outcome.items()}
                assert set(states.values()) == {"SUCCESS"}, f"{outcome}\n{_logs(first, second)}"
            starts = _starts(target, key)
            rerun = {task_id for task_id in killed_mid_task if starts.count(task_id) >= 2}
            assert rerun == killed_mid_task, (
                f"not run again after the kill: {killed_mid_task - rerun}"
            )
