"""A worker killed mid-task loses nothing: its tasks run again on the next worker.

The framework's adapter writes its probe module into a copy of the generated project, starts the
documented compose worker command made to load it, and submits and collects the probe's work.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support.brokers import isolated_broker
from support.combinations import Combination
from support.crash import logs, open_gate, probe_worker, records, wait_for_records
from support.frameworks import FrameworkAdapter
from support.processes import wait_until
from support.tiers import crash_combinations, shipped_kill_combinations

pytestmark = pytest.mark.e2e

TASKS = 3
START_TIMEOUT, FINISH_TIMEOUT = 60, 120
# How long a probe task waits for its gate before giving up (bounds a stuck run).
GATE_TIMEOUT = FINISH_TIMEOUT


@pytest.mark.parametrize("combination", crash_combinations(), ids=lambda c: c.id)
class TestWorkerKill:
    """SIGKILL of the whole worker process group while tasks run."""

    def test_tasks_survive(
        self,
        combination: Combination,
        adapter: FrameworkAdapter,
        probe_project: Path,
        tmp_path: Path,
    ) -> None:
        """Every submitted task ends in success, and each task running at the kill runs again."""
        project = probe_project
        with isolated_broker(combination.broker) as target:
            worker = probe_worker(adapter, project, target)
            key, gate = f"tqgen-probe-{combination.id}", f"tqgen-gate-{combination.id}"

            with worker.running(tmp_path / "worker-1.log") as first:
                task_ids = adapter.submit_probe(
                    project, worker.client_env, key, gate, GATE_TIMEOUT, TASKS
                )
                killed_mid_task = set(
                    wait_for_records(target, key, START_TIMEOUT, "a probe task to start", first)
                )
                first.kill()
            # Only now may tasks finish: none of them can have finished on the killed worker.
            open_gate(target, gate)

            with worker.running(tmp_path / "worker-2.log") as second:
                try:
                    outcome = adapter.wait_for_probe(
                        project, worker.client_env, task_ids, FINISH_TIMEOUT
                    )
                except RuntimeError as error:
                    pytest.fail(f"{error}\n{logs(first, second)}")
                states = {task_id: result["state"] for task_id, result in outcome.items()}
                assert set(states.values()) == {adapter.success_state}, (
                    f"{outcome}\n{logs(first, second)}"
                )
            starts = records(target, key)
            rerun = {task_id for task_id in killed_mid_task if starts.count(task_id) >= 2}
            assert rerun == killed_mid_task, (
                f"not run again after the kill: {killed_mid_task - rerun}"
            )


@pytest.mark.parametrize("combination", shipped_kill_combinations(), ids=lambda c: c.id)
def test_with_shipped_settings_a_killed_task_runs_again_within_the_stated_delay(
    combination: Combination, adapter: FrameworkAdapter, probe_project: Path, tmp_path: Path
) -> None:
    """The worker started as compose starts it, with the project's own settings, is killed
    while a task runs; a new worker runs the task again within the README's delay."""
    project = probe_project
    within = adapter.killed_worker_rerun_within(combination)
    assert within is not None
    with isolated_broker(combination.broker) as target:
        worker = probe_worker(adapter, project, target, fast_redelivery=False)
        key, gate = f"tqgen-shipped-{combination.id}", f"tqgen-shipped-gate-{combination.id}"

        with worker.running(tmp_path / "worker-1.log") as first:
            [task_id] = adapter.submit_probe(
                project, worker.client_env, key, gate, within + FINISH_TIMEOUT, 1
            )
            wait_for_records(target, key, START_TIMEOUT, "the probe task to start", first)
            first.kill()
        killed_at = time.monotonic()
        open_gate(target, gate)

        with worker.running(tmp_path / "worker-2.log") as second:
            try:
                wait_until(lambda: len(records(target, key)) >= 2, within, "the task to run again")
            except TimeoutError as error:
                pytest.fail(f"{error} (the README's delay)\n{logs(first, second)}")
            rerun_after = time.monotonic() - killed_at
            outcome = adapter.wait_for_probe(project, worker.client_env, [task_id], FINISH_TIMEOUT)
        assert outcome[task_id]["state"] == adapter.success_state, (
            f"{outcome}\n{logs(first, second)}"
        )
        print(f"{combination.id}: the killed task ran again {rerun_after:.0f} s after the kill")
