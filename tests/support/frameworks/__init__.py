"""One adapter per task framework, and the guard that every enabled framework has one.

`ADAPTERS` maps copier.yml's framework value to its adapter. `adapter_problems` is what the
guard test checks: a framework that copier.yml enables (it appears in the supported
combinations) but that has no adapter, or an adapter that would give a tier nothing to run,
is a problem with a message saying what to add.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from support.combinations import Combination, by_framework
from support.frameworks.airflow import AirflowAdapter
from support.frameworks.base import FrameworkAdapter, TaskQueueAdapter
from support.frameworks.celery import CeleryAdapter
from support.frameworks.dramatiq import DramatiqAdapter
from support.frameworks.rq import RqAdapter

__all__ = ["ADAPTERS", "FrameworkAdapter", "TaskQueueAdapter", "adapter_for", "adapter_problems"]

ADAPTERS: Mapping[str, FrameworkAdapter] = {
    adapter.name: adapter
    for adapter in (CeleryAdapter(), RqAdapter(), DramatiqAdapter(), AirflowAdapter())
}


def adapter_for(framework: str) -> FrameworkAdapter:
    """The adapter of `framework`; a KeyError saying what to add when there is none."""
    try:
        return ADAPTERS[framework]
    except KeyError:
        raise KeyError(_missing(framework)) from None


def _missing(framework: str) -> str:
    return (
        f"framework {framework!r} is enabled in copier.yml but the test harness has no adapter "
        f"for it: add tests/support/frameworks/{framework}.py (a FrameworkAdapter subclass) "
        "and register it in ADAPTERS in tests/support/frameworks/__init__.py"
    )


def _coverage_problems(
    framework: str,
    tier: str,
    picked: Sequence[Combination],
    supported: Sequence[Combination],
    keys: Sequence[str],
) -> list[str]:
    """What `picked` leaves out of `supported`, for each answer in `keys` (broker, web)."""
    problems = []
    for key in keys:
        # Combination's own reading: `none` for a question not asked (a local executor's broker).
        missing = sorted({getattr(c, key) for c in supported} - {getattr(c, key) for c in picked})
        if missing:
            problems.append(
                f"{framework}: the {tier} runs no combination with {key} {', '.join(missing)}"
            )
    return problems


def adapter_problems(
    combinations: Sequence[Combination], adapters: Mapping[str, FrameworkAdapter]
) -> list[str]:
    """Why the tiers would skip or under-test a framework of `combinations`; empty when none."""
    problems = []
    for framework, supported in by_framework(combinations).items():
        adapter = adapters.get(framework)
        if adapter is None:
            problems.append(_missing(framework))
            continue
        e2e = adapter.e2e_combinations(supported)
        mutation = adapter.mutation_combinations(supported)
        cases = [s for c in mutation for s in adapter.hardened_settings(c)]
        if not e2e:
            problems.append(f"{framework}: the adapter gives the end-to-end tier no combination")
        if not cases:
            problems.append(
                f"{framework}: the adapter gives the mutation test no case "
                "(no mutation combination, or no hardened setting for it)"
            )
        problems += _coverage_problems(
            framework, "end-to-end tier", e2e, supported, ("broker", "web")
        )
        problems += _coverage_problems(framework, "mutation test", mutation, supported, ("broker",))
        # A task queue's crashes are its workers'; a workflow engine's, its components'.
        if isinstance(adapter, TaskQueueAdapter):
            crash, tier = adapter.crash_combinations(supported), "worker-kill tests"
        else:
            crash, tier = adapter.workflow_combinations(supported), "workflow runs"
        if not crash:
            problems.append(f"{framework}: the adapter gives the {tier} no combination")
        problems += _coverage_problems(framework, tier, crash, supported, ("broker",))
    return problems
