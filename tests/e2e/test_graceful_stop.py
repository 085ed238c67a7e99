"""A deploy stops the worker as `docker stop` does; the task it was running still completes.

The worker runs the compose file's command with the compose worker service's `environment:` and
the project's shipped settings (no shortened redelivery): what a deploy really does to it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.brokers import isolated_broker
from support.combinations import Combination
from support.crash import logs, open_gate, probe_worker, wait_for_records
from support.frameworks import FrameworkAdapter
from support.tiers import crash_combinations

pytestmark = pytest.mark.e2e

START_TIMEOUT = 60
# The promise: the stopped task is done on a new worker within a minute.
COMPLETION_TIMEOUT = 60
# The probe task waits this long for its gate: longer than any stop and restart here.
GATE_TIMEOUT = 600


@pytest.mark.parametrize("combination", crash_combinations(), ids=lambda c: c.id)
def test_task_running_at_docker_stop_completes_on_next_worker(
    combination: Combination, adapter: FrameworkAdapter, probe_project: Path, tmp_path: Path
) -> None:
    """A task running when the worker gets SIGTERM (SIGKILL after the grace period) completes
    on a new worker within a minute."""
    grace = adapter.worker_stop_grace_period(probe_project)
    with isolated_broker(combination.broker) as target:
        worker = probe_worker(adapter, probe_project, target, fast_redelivery=False)
        key, gate = f"tqgen-stop-{combination.id}", f"tqgen-stop-gate-{combination.id}"

        with worker.running(tmp_path / "worker-1.log") as first:
            [task_id] = adapter.submit_probe(
                probe_project, worker.client_env, key, gate, GATE_TIMEOUT, 1
            )
            wait_for_records(target, key, START_TIMEOUT, "the probe task to start", first)
            stopped_in = first.docker_stop(grace)
        # Only now may the task finish: it cannot have finished on the stopped worker.
        open_gate(target, gate)

        with worker.running(tmp_path / "worker-2.log") as second:
            outcome = adapter.wait_for_probe(
                probe_project, worker.client_env, [task_id], COMPLETION_TIMEOUT
            )
        assert outcome[task_id]["state"] == adapter.success_state, (
            f"{outcome}; the first worker exited {stopped_in:.1f}s after SIGTERM "
            f"(grace period {grace:.0f}s)\n{logs(first, second)}"
        )
