"""Work queued before a Redis broker restart is all done after it.

The Redis is the test's own, started with the flags of the compose file's `redis` service
(persistence, eviction policy) on a free port and a directory of its own, and stopped with
SHUTDOWN NOSAVE: what survives is what those flags make Redis keep.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.combinations import Combination
from support.crash import compose_redis_broker, logs, open_gate, probe_worker
from support.frameworks import FrameworkAdapter
from support.tiers import crash_combinations

pytestmark = pytest.mark.e2e

TASKS = 5
FINISH_TIMEOUT = 60
GATE_TIMEOUT = 60


@pytest.mark.parametrize(
    "combination", [c for c in crash_combinations() if c.broker == "redis"], ids=lambda c: c.id
)
def test_queued_tasks_done_after_redis_restart(
    combination: Combination, adapter: FrameworkAdapter, probe_project: Path, tmp_path: Path
) -> None:
    """Tasks queued with no worker running all succeed once Redis has restarted and a worker
    starts."""
    with compose_redis_broker(probe_project, tmp_path / "redis") as (target, server):
        worker = probe_worker(adapter, probe_project, target, fast_redelivery=False)
        key, gate = f"tqgen-restart-{combination.id}", f"tqgen-restart-gate-{combination.id}"
        open_gate(target, gate)
        task_ids = adapter.submit_probe(
            probe_project, worker.client_env, key, gate, GATE_TIMEOUT, TASKS
        )
        server.restart()

        with worker.running(tmp_path / "worker.log") as group:
            outcome = adapter.wait_for_probe(
                probe_project, worker.client_env, task_ids, FINISH_TIMEOUT
            )
        states = {task_id: result["state"] for task_id, result in outcome.items()}
        assert set(states.values()) == {adapter.success_state}, (
            f"{outcome}\n{logs(group)}\n--- redis\n{server.log()[-2000:]}"
        )
