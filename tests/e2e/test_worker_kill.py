"""A worker killed mid-task loses nothing: its tasks run again on the next worker.

The framework's adapter writes its probe module into a copy of the generated project, starts the
documented compose worker command made to load it, and submits and collects the probe's work.
Where the generated README gives a delay short enough to wait for (the adapter's
`killed_worker_rerun_within`), the worker runs with the shipped settings and the tasks must run
again within that delay; elsewhere (Celery on Redis: an hour) redelivery is shortened.
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
from support.tiers import crash_combinations

pytestmark = pytest.mark.e2e

TASKS = 3
START_TIMEOUT, FINISH_TIMEOUT = 60, 120


@pytest.mark.parametrize("combination", crash_combinations(), ids=lambda c: c.id)
def test_tasks_of_a_killed_worker_run_again(
    combination: Combination, adapter: FrameworkAdapter, probe_project: Path, tmp_path: Path
) -> None:
    """SIGKILL of the worker's process group while tasks run: each task running at the kill
    runs again on a new worker (within the README's delay, where it gives one), and every task
    ends in success."""
    project = probe_project
    within = adapter.killed_worker_rerun_within(combination)
    rerun_timeout = within if within is not None else FINISH_TIMEOUT
    with isolated_broker(combination.broker) as target:
        worker = probe_worker(adapter, project, target, fast_redelivery=within is None)
        key, gate = f"tqgen-probe-{combination.id}", f"tqgen-gate-{combination.id}"

        with worker.running(tmp_path / "worker-1.log") as first:
            task_ids = adapter.submit_probe(
                project, worker.client_env, key, gate, rerun_timeout + FINISH_TIMEOUT, TASKS
            )
            killed_mid_task = set(
                wait_for_records(target, key, START_TIMEOUT, "a probe task to start", first)
            )
            first.kill()
        killed_at = time.monotonic()
        # Only now may tasks finish: none of them can have finished on the killed worker.
        open_gate(target, gate)

        def rerun() -> set[str]:
            starts = records(target, key)
            return {task_id for task_id in killed_mid_task if starts.count(task_id) >= 2}

        with worker.running(tmp_path / "worker-2.log") as second:
            try:
                wait_until(lambda: rerun() == killed_mid_task, rerun_timeout, "the reruns")
            except TimeoutError as error:
                stated = "the README's delay" if within is not None else "shortened redelivery"
                pytest.fail(
                    f"{error} ({stated}): not run again: {killed_mid_task - rerun()}\n"
                    f"{logs(first, second)}"
                )
            rerun_after = time.monotonic() - killed_at
            outcome = adapter.wait_for_probe(project, worker.client_env, task_ids, FINISH_TIMEOUT)
        states = {task_id: result["state"] for task_id, result in outcome.items()}
        assert set(states.values()) == {adapter.success_state}, f"{outcome}\n{logs(first, second)}"
        print(f"{combination.id}: the killed tasks ran again {rerun_after:.0f} s after the kill")
