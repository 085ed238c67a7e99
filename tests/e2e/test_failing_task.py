"""A task that raises every time fails visibly after its bounded retries, and is never run again.

The probe task carries the project's retry bound (only the wait between attempts is shortened)
and raises on every attempt, in a real worker started with the compose command.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support.brokers import isolated_broker
from support.combinations import Combination
from support.crash import json_records, logs, probe_worker
from support.frameworks import FrameworkAdapter
from support.processes import wait_until
from support.tiers import crash_combinations

pytestmark = pytest.mark.e2e

FINISH_TIMEOUT = 60
# After the failure, how long to watch for an attempt that should not come (retries are 1 s
# apart).
QUIET_PERIOD = 3
HOOK_TIMEOUT = 10


@pytest.mark.parametrize("combination", crash_combinations(), ids=lambda c: c.id)
def test_a_failing_task_ends_as_failure_after_its_retries(
    combination: Combination, adapter: FrameworkAdapter, probe_project: Path, tmp_path: Path
) -> None:
    """FAILURE after its retries (as many as its bound, none after), and the failure hook logs
    it once at ERROR with its id."""
    with isolated_broker(combination.broker) as target:
        worker = probe_worker(adapter, probe_project, target)
        key = f"tqgen-failing-{combination.id}"
        hook_log = f"tqgen-probe-log:{adapter.failure_logger(probe_project)}"

        with worker.running(tmp_path / "worker.log") as group:
            task_id = adapter.submit_failing(probe_project, worker.client_env, key)
            outcome = adapter.wait_for_probe(
                probe_project, worker.client_env, [task_id], FINISH_TIMEOUT
            )
            assert outcome[task_id]["state"] == "FAILURE", f"{outcome}\n{logs(group)}"
            time.sleep(QUIET_PERIOD)
            attempts = json_records(target, key)
            hook = wait_until(
                lambda: [r for r in json_records(target, hook_log) if task_id in r["message"]],
                HOOK_TIMEOUT,
                "the failure hook's record of the task",
            )

    assert {a["id"] for a in attempts} == {task_id}, attempts
    # Retried (a transient failure is not final at once) exactly as often as its bound says.
    assert attempts[0]["retries_left"] >= 1, attempts
    assert len(attempts) == attempts[0]["retries_left"] + 1, attempts
    assert [r["level"] for r in hook].count("ERROR") == 1, hook
