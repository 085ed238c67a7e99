"""A task that kills its own worker process is a visible failure after a bounded number of tries.

Shipped settings: the bound must come from the project's own configuration, never from a broker
default (RabbitMQ 3.10's quorum queues have none, RabbitMQ 4's drop the message after 20). Only
the redelivery delay is shortened, where the adapter says each delivery waits for it. The worker
runs under a supervisor, as compose's restart policy runs it: a framework whose whole worker
exits with the killed process (Dramatiq) is started again.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support.brokers import isolated_broker
from support.combinations import Combination
from support.crash import json_records, probe_worker
from support.frameworks import FrameworkAdapter
from support.processes import wait_until
from support.supervisor import failure, supervised
from support.tiers import crash_combinations

pytestmark = pytest.mark.e2e

FINISH_TIMEOUT = 90
# After the failure, how long to watch for a delivery that should not come (the probe's
# retry delay is 1 s).
QUIET_PERIOD = 3
HOOK_TIMEOUT = 10
# The hook's line reaches the worker's output later than its record: Dramatiq's main process
# forwards its worker processes' logs only once all of them are online, or its
# --worker-fork-timeout (30 s) has passed; a restarted worker's first process can fail the
# task meanwhile.
LINE_TIMEOUT = 45


@pytest.mark.parametrize("combination", crash_combinations(), ids=lambda c: c.id)
def test_poison_task_fails_after_bounded_deliveries(
    combination: Combination, adapter: FrameworkAdapter, probe_project: Path, tmp_path: Path
) -> None:
    """The task ends as FAILURE after at most max_retries + 1 deliveries, none after, and the
    failure hook logs it with its id and arguments."""
    with isolated_broker(combination.broker) as target:
        shortened = adapter.poison_redelivery_shortened(combination)
        probe = probe_worker(adapter, probe_project, target, fast_redelivery=shortened)
        extra = probe.client_env
        key = f"tqgen-poison-{combination.id}"
        hook_log = f"tqgen-probe-log:{adapter.failure_logger(probe_project)}"

        with supervised("worker", probe.args, probe_project, probe.env, tmp_path) as worker:
            task_id = adapter.submit_poison(probe_project, extra, key)
            outcome = adapter.wait_for_probe(probe_project, extra, [task_id], FINISH_TIMEOUT)
            deliveries = json_records(target, key)
            assert outcome[task_id]["state"] == "FAILURE", failure(
                f"{outcome}; {len(deliveries)} deliveries so far", worker
            )
            time.sleep(QUIET_PERIOD)
            deliveries = json_records(target, key)
            try:
                hook = wait_until(
                    lambda: [r for r in json_records(target, hook_log) if task_id in r["message"]],
                    HOOK_TIMEOUT,
                    "the failure hook's record of the task",
                )
                # The probe's copy is written before the worker's own handler prints the line.
                wait_until(
                    lambda: worker.logged(hook[0]["message"]),
                    LINE_TIMEOUT,
                    "the hook's line in the worker output",
                )
            except TimeoutError as error:
                # Says whether the records are gone altogether (the database emptied meanwhile).
                left = f"{len(json_records(target, key))} delivery records left"
                pytest.fail(failure(f"{error}; {left}", worker))

            if combination.broker == "rabbitmq":
                # The bound is the project's (worker-lost retries); the broker's delivery limit
                # and dead-letter queue are the backstop, not what failed the task.
                dead_lettered = adapter.dead_lettered(probe_project, extra)
                assert task_id not in dead_lettered, f"{task_id} was dead-lettered too"

        max_retries = deliveries[0]["max_retries"]
        assert max_retries is not None, "the task's retries are unbounded (max_retries None)"
        assert 1 <= len(deliveries) <= max_retries + 1, deliveries
        assert {d["id"] for d in deliveries} == {task_id}, deliveries
        assert hook[0]["level"] == "ERROR", hook
        assert key in hook[0]["message"], f"the hook's line lacks the task's arguments: {hook}"
