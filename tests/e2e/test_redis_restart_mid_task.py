"""A Redis broker restart while a task runs: the worker exits, the task runs again later.

Where the adapter says so (`redis_restart_mid_task`), a worker running a task when its Redis
broker restarts exits, saying why in its log; compose starts a new one (`restart:
unless-stopped`) and the task, still in Redis, runs again on it within the adapter's delay (with
redelivery shortened); an idle worker survives a restart and takes new work after it. The
generated README says so; the adapter's docstring says what each framework does and why.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support.combinations import Combination
from support.crash import (
    compose_redis_broker,
    logs,
    open_gate,
    probe_worker,
    records,
    wait_for_records,
)
from support.frameworks import FrameworkAdapter, adapter_for
from support.processes import wait_until
from support.tiers import crash_combinations

pytestmark = pytest.mark.e2e

START_TIMEOUT = 60
EXIT_TIMEOUT = 30
GATE_TIMEOUT = 120


def _restart_cases() -> list[Combination]:
    """The Redis crash combinations whose adapter describes a restart while a task runs."""
    return [
        c
        for c in crash_combinations()
        if c.broker == "redis" and adapter_for(c.framework).redis_restart_mid_task(c) is not None
    ]


@pytest.mark.parametrize("combination", _restart_cases(), ids=lambda c: c.id)
def test_worker_exits_and_the_running_task_runs_again(
    combination: Combination, adapter: FrameworkAdapter, probe_project: Path, tmp_path: Path
) -> None:
    """The worker running a task exits on the restart, a new worker runs the task again; an
    idle worker reconnects."""
    restart = adapter.redis_restart_mid_task(combination)
    assert restart is not None
    with compose_redis_broker(probe_project, tmp_path / "redis") as (target, server):
        worker = probe_worker(adapter, probe_project, target)
        key, gate = f"tqgen-midtask-{combination.id}", f"tqgen-midtask-gate-{combination.id}"
        [task_id] = adapter.submit_probe(
            probe_project, worker.client_env, key, gate, GATE_TIMEOUT, 1
        )
        with worker.running(tmp_path / "worker-1.log") as first:
            wait_for_records(target, key, START_TIMEOUT, "the task to start", first)
            server.restart()
            restarted_at = time.monotonic()
            # A worker that waits for its running task before it exits: let the task finish.
            open_gate(target, gate)
            try:
                wait_until(lambda: first.process.poll() is not None, EXIT_TIMEOUT, "exit")
            except TimeoutError:
                pytest.fail(f"the worker survived the restart\n{logs(first)}")
            assert restart.exit_log in first.output(), logs(first)
        assert records(target, key) == [task_id]

        # What compose's `restart: unless-stopped` does: a new worker.
        with worker.running(tmp_path / "worker-2.log") as second:
            try:
                wait_until(lambda: len(records(target, key)) > 1, restart.rerun_within, "the rerun")
            except TimeoutError:
                pytest.fail(f"the task did not run again\n{logs(first, second)}")
            rerun_after = time.monotonic() - restarted_at
            outcome = adapter.wait_for_probe(probe_project, worker.client_env, [task_id], 60)
            assert records(target, key) == [task_id, task_id]
            assert outcome[task_id]["state"] == adapter.success_state, logs(second)

            # An idle worker survives a restart and takes new work after it.
            server.restart()
            later = adapter.submit_probe(probe_project, worker.client_env, key, gate, 60, 1)
            outcome = adapter.wait_for_probe(probe_project, worker.client_env, later, 60)
            assert outcome[later[0]]["state"] == adapter.success_state, logs(second)
            assert second.process.poll() is None, logs(second)
        print(f"{combination.id}: the task ran again {rerun_after:.0f} s after the restart")
