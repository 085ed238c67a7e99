"""A worker killed inside the idempotency block: the side effect still happens, the task succeeds.

At-least-once: the project's helper must let the redelivered task redo an unfinished side
effect. Redis redelivers a hard-killed worker's task after the visibility timeout, shortened here
through the adapter (the README states the shipped delay).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.brokers import isolated_broker
from support.combinations import Combination
from support.crash import logs, open_gate, probe_worker, records, wait_for_records
from support.frameworks import FrameworkAdapter
from support.tiers import crash_combinations

pytestmark = pytest.mark.e2e

START_TIMEOUT, FINISH_TIMEOUT = 60, 120
GATE_TIMEOUT = FINISH_TIMEOUT


@pytest.mark.parametrize("combination", crash_combinations(), ids=lambda c: c.id)
def test_side_effect_happens_after_kill_inside_block(
    combination: Combination, adapter: FrameworkAdapter, probe_project: Path, tmp_path: Path
) -> None:
    """After SIGKILL of the worker inside the block, a new worker performs the side effect and
    the task ends in success."""
    with isolated_broker(combination.broker) as target:
        worker = probe_worker(adapter, probe_project, target)
        key, gate = f"tqgen-once-{combination.id}", f"tqgen-once-gate-{combination.id}"

        with worker.running(tmp_path / "worker-1.log") as first:
            task_id = adapter.submit_idempotent(
                probe_project, worker.client_env, key, gate, GATE_TIMEOUT
            )
            wait_for_records(
                target, f"{key}:started", START_TIMEOUT, "the probe to enter the block", first
            )
            first.kill()
        assert not records(target, f"{key}:done"), "the side effect finished before the kill"
        open_gate(target, gate)

        with worker.running(tmp_path / "worker-2.log") as second:
            outcome = adapter.wait_for_probe(
                probe_project, worker.client_env, [task_id], FINISH_TIMEOUT
            )
        done = records(target, f"{key}:done")
        assert outcome[task_id]["state"] == adapter.success_state, (
            f"{outcome}\n{logs(first, second)}"
        )
        assert done, (
            f"the task succeeded but the side effect never happened: {outcome}; "
            f"entered the block {len(records(target, f'{key}:started'))} times"
        )
