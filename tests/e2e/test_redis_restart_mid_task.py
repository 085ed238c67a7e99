"""A Redis broker restart while a Celery task runs: the worker exits, the task runs again later.

Celery 5.7 with kombu 5.7's Redis transport cannot reconnect a worker that holds an
unacknowledged message: closing the broken connection restores the message through a
transport that is gone (`AttributeError: 'NoneType' object has no attribute 'hostname'`), an
unrecoverable error. The worker lets its running task finish, cannot acknowledge it and exits;
compose starts a new one (`restart: unless-stopped`), and the message, still unacknowledged in
Redis, runs again once it is older than the visibility timeout. An idle worker reconnects. The
generated README says so; this test holds it to that behaviour, the visibility timeout shortened.
"""

from __future__ import annotations

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
from support.frameworks import FrameworkAdapter
from support.processes import wait_until
from support.tiers import crash_combinations

pytestmark = pytest.mark.e2e

START_TIMEOUT = 60
EXIT_TIMEOUT = 30
# The shortened visibility timeout (5 s), plus a sweep (every 10 s), plus a worker's start.
RERUN_TIMEOUT = 60
GATE_TIMEOUT = 120


@pytest.mark.parametrize(
    "combination",
    [c for c in crash_combinations() if c.framework == "celery" and c.broker == "redis"],
    ids=lambda c: c.id,
)
def test_worker_exits_and_the_running_task_runs_again(
    combination: Combination, adapter: FrameworkAdapter, probe_project: Path, tmp_path: Path
) -> None:
    """The worker running a task exits on the restart, a new worker runs the task again; an
    idle worker reconnects."""
    with compose_redis_broker(probe_project, tmp_path / "redis") as (target, server):
        worker = probe_worker(adapter, probe_project, target)
        key, gate = f"tqgen-midtask-{combination.id}", f"tqgen-midtask-gate-{combination.id}"
        [task_id] = adapter.submit_probe(
            probe_project, worker.client_env, key, gate, GATE_TIMEOUT, 1
        )
        with worker.running(tmp_path / "worker-1.log") as first:
            wait_for_records(target, key, START_TIMEOUT, "the task to start", first)
            server.restart()
            # The worker waits for its running task before it exits: let the task finish.
            open_gate(target, gate)
            try:
                wait_until(lambda: first.process.poll() is not None, EXIT_TIMEOUT, "exit")
            except TimeoutError:
                pytest.fail(f"the worker survived the restart\n{logs(first)}")
            assert "Unrecoverable error" in first.output(), logs(first)
        assert records(target, key) == [task_id]

        # What compose's `restart: unless-stopped` does: a new worker.
        with worker.running(tmp_path / "worker-2.log") as second:
            try:
                wait_until(lambda: len(records(target, key)) > 1, RERUN_TIMEOUT, "the rerun")
            except TimeoutError:
                pytest.fail(f"the task did not run again\n{logs(first, second)}")
            outcome = adapter.wait_for_probe(probe_project, worker.client_env, [task_id], 60)
            assert records(target, key) == [task_id, task_id]
            assert outcome[task_id]["state"] == adapter.success_state, logs(second)

            # An idle worker survives a restart and takes new work after it.
            server.restart()
            later = adapter.submit_probe(probe_project, worker.client_env, key, gate, 60, 1)
            outcome = adapter.wait_for_probe(probe_project, worker.client_env, later, 60)
            assert outcome[later[0]]["state"] == adapter.success_state, logs(second)
            assert second.process.poll() is None, logs(second)
