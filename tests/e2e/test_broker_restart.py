"""A Redis broker restarted while a unit runs: everything queued before is done after it.

The Redis is the test's own, started with the flags of the compose file's `redis` service
(persistence, eviction policy) on a free port and a directory of its own, holding the results
too as under compose, and restarted with SHUTDOWN NOSAVE: what survives is what those flags make
Redis keep. The worker runs under a supervisor, as outside Docker: it may ride over the restart
or exit non-zero and be started again, never exit 0.
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path

import pytest
from support.combinations import Combination
from support.crash import compose_redis_broker, open_gate, probe_worker, wait_for_records
from support.frameworks import FrameworkAdapter
from support.supervisor import failure, supervised, wait_for
from support.tiers import crash_combinations

pytestmark = pytest.mark.e2e

UNITS = 5
START_TIMEOUT = 60
DONE_WITHIN = 120


@pytest.mark.parametrize(
    "combination", [c for c in crash_combinations() if c.broker == "redis"], ids=lambda c: c.id
)
def test_queued_and_running_units_done_after_a_redis_restart(
    combination: Combination, adapter: FrameworkAdapter, probe_project: Path, tmp_path: Path
) -> None:
    """Redis restarts while one unit runs and four wait: all five succeed after it."""
    with compose_redis_broker(probe_project, tmp_path / "redis", results_too=True) as (
        target,
        server,
    ):
        worker = probe_worker(adapter, probe_project, target, fast_redelivery=False)
        with supervised("worker", worker.args, probe_project, worker.env, tmp_path) as running:
            ready = partial(running.logged, adapter.ready_log)
            wait_for(ready, START_TIMEOUT, "the worker", running)
            key, gate = f"tqgen-restart-{combination.id}", f"tqgen-restart-gate-{combination.id}"
            units = adapter.submit_probe(
                probe_project, worker.client_env, key, gate, DONE_WITHIN, UNITS
            )
            wait_for_records(target, key, START_TIMEOUT, "the first unit to start")
            server.restart()
            restarted_at = time.monotonic()
            open_gate(target, gate)
            outcome = adapter.wait_for_probe(probe_project, worker.client_env, units, DONE_WITHIN)
            done_after = time.monotonic() - restarted_at
            states = {unit_id: result["state"] for unit_id, result in outcome.items()}
            assert set(states.values()) == {adapter.success_state}, failure(
                f"{outcome}\n--- redis\n{server.log()[-2000:]}", running
            )
            assert running.clean_exits == 0, failure("the worker exited 0", running)
        print(
            f"{combination.id}: all done {done_after:.0f} s after the restart;"
            f" worker restarts: {running.restarts}"
        )
