"""Which combinations each test tier runs: every tier asks the framework adapters.

A framework enabled in copier.yml without an adapter is still rendered and linted under every
name; the other tiers cannot drive it, and the guard test (tests/render/test_adapters.py)
fails until its adapter exists. What each tier runs per framework, and the time budget, are in
docs/testing.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

from support.combinations import Combination, by_framework, supported_combinations
from support.frameworks import ADAPTERS, FrameworkAdapter, adapter_for
from support.hardening import HardenedSetting, Wiring
from support.names import PROJECT_NAMES


@cache
def render_cases() -> tuple[Combination, ...]:
    """Render, lint and contract tier: every supported combination under every project name."""
    cases: list[Combination] = []
    for framework, combinations in by_framework(supported_combinations()).items():
        if framework in ADAPTERS:
            cases += ADAPTERS[framework].render_cases(combinations)
        else:
            cases += [c.named(name) for name in PROJECT_NAMES for c in combinations]
    return tuple(cases)


def _asked(
    tier: Callable[[FrameworkAdapter, Sequence[Combination]], list[Combination]],
) -> tuple[Combination, ...]:
    """The combinations a tier runs: each adapter picks from its framework's supported ones.

    `tier` calls the adapter's own method (`lambda adapter, c: adapter.crash_combinations(c)`):
    `FrameworkAdapter.crash_combinations` itself would be the base class's, which runs nothing.
    """
    return tuple(
        combination
        for framework, combinations in by_framework(supported_combinations()).items()
        if framework in ADAPTERS
        for combination in tier(ADAPTERS[framework], combinations)
    )


@cache
def e2e_combinations() -> tuple[Combination, ...]:
    """Full end-to-end tier: install, ruff, the generated suite on the real broker."""
    return _asked(lambda adapter, combinations: adapter.e2e_combinations(combinations))


@cache
def roundtrip_combinations() -> tuple[Combination, ...]:
    """Task queues: work sent through the web app or CLI to a real worker, read back."""
    return _asked(lambda adapter, combinations: adapter.roundtrip_combinations(combinations))


@cache
def workflow_combinations() -> tuple[Combination, ...]:
    """Workflow engines: components started on the host, runs triggered, processes killed."""
    return _asked(lambda adapter, combinations: adapter.workflow_combinations(combinations))


@cache
def mutation_combinations() -> tuple[Combination, ...]:
    """Combinations whose hardened lines the mutation test deletes one by one."""
    return _asked(lambda adapter, combinations: adapter.mutation_combinations(combinations))


def mutation_cases() -> list[tuple[Combination, HardenedSetting]]:
    """(combination, hardened setting) for every line the mutation test deletes."""
    return [
        (combination, setting)
        for combination in mutation_combinations()
        for setting in adapter_for(combination.framework).hardened_settings(combination)
    ]


def wiring_cases() -> list[tuple[Combination, Wiring]]:
    """(combination, wiring) for every edit the mutation test makes.

    The end-to-end combinations cover every web choice, which is what wiring depends on. A
    wiring every web choice carries (the worker's, the tasks') is edited once per framework and
    broker instead, on the first end-to-end combination of the broker.
    """
    webs: dict[str, set[str]] = {}
    for supported in supported_combinations():
        webs.setdefault(supported.framework, set()).add(supported.web)
    cases: list[tuple[Combination, Wiring]] = []
    seen: set[tuple[str, str, str]] = set()
    for combination in e2e_combinations():
        for wiring in adapter_for(combination.framework).wiring(combination):
            if set(wiring.webs) >= webs[combination.framework]:
                where = (combination.framework, combination.broker, wiring.name)
                if where in seen:
                    continue
                seen.add(where)
            cases.append((combination, wiring))
    return cases


@cache
def crash_combinations() -> tuple[Combination, ...]:
    """Combinations whose workers the crash tests kill."""
    return _asked(lambda adapter, combinations: adapter.crash_combinations(combinations))
