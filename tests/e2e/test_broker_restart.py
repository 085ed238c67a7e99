"""Work queued before a Redis broker restart is all done after it.

The Redis is the test's own, started with the flags of the compose file's `redis` service
(persistence, eviction policy) on a free port and a directory of its own, and stopped with
SHUTDOWN NOSAVE: what survives is what those flags make Redis keep.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from support.brokers import isolated_broker
from support.combinations import Combination
from support.compose import command, load_compose
from support.crash import logs, open_gate
from support.frameworks import FrameworkAdapter
from support.processes import running
from support.redis_server import own_redis_server
from support.tiers import crash_combinations
from support.uvenv import project_env

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
    flags = command(load_compose(probe_project), "redis")
    with (
        isolated_broker("redis") as local,
        own_redis_server(flags, tmp_path / "redis") as server,
    ):
        # Results and the probe's records stay on the session's Redis; the broker restarts.
        target = replace(local, broker_url=server.url())
        extra = adapter.probe_env(probe_project, target, fast_redelivery=False)
        env = adapter.worker_service_env(probe_project, project_env(probe_project, extra))
        key, gate = f"tqgen-restart-{combination.id}", f"tqgen-restart-gate-{combination.id}"
        open_gate(target, gate)
        task_ids = adapter.submit_probe(probe_project, extra, key, gate, GATE_TIMEOUT, TASKS)
        server.restart()

        worker_args = adapter.probe_worker_command(probe_project, env)
        with running(worker_args, probe_project, env, tmp_path / "worker.log") as worker:
            outcome = adapter.wait_for_probe(probe_project, extra, task_ids, FINISH_TIMEOUT)
        states = {task_id: result["state"] for task_id, result in outcome.items()}
        assert set(states.values()) == {adapter.success_state}, (
            f"{outcome}\n{logs(worker)}\n--- redis\n{server.log()[-2000:]}"
        )
