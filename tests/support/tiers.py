"""Which combinations each test tier runs: every tier asks the framework adapters.

A framework enabled in copier.yml without an adapter is still rendered and linted under every
name; the other tiers cannot drive it, and the guard test (tests/render/test_adapters.py)
fails until its adapter exists.
"""

from __future__ import annotations

from functools import cache

from support.combinations import Combination, by_framework, supported_combinations
from support.frameworks import ADAPTERS, adapter_for
from support.hardening import HardenedSetting
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


@cache
def e2e_combinations() -> tuple[Combination, ...]:
    """Full end-to-end tier: install, generated suite on the real broker, round trip."""
    return tuple(
        combination
        for framework, combinations in by_framework(supported_combinations()).items()
        if framework in ADAPTERS
        for combination in ADAPTERS[framework].e2e_combinations(combinations)
    )


@cache
def mutation_combinations() -> tuple[Combination, ...]:
    """Combinations whose hardened lines the mutation test deletes one by one."""
    return tuple(
        combination
        for framework, combinations in by_framework(supported_combinations()).items()
        if framework in ADAPTERS
        for combination in ADAPTERS[framework].mutation_combinations(combinations)
    )


def mutation_cases() -> list[tuple[Combination, HardenedSetting]]:
    """(combination, hardened setting) for every line the mutation test deletes."""
    return [
        (combination, setting)
        for combination in mutation_combinations()
        for setting in adapter_for(combination.framework).hardened_settings(combination)
    ]


@cache
def crash_combinations() -> tuple[Combination, ...]:
    """Combinations whose workers the crash tests kill."""
    return tuple(
        combination
        for framework, combinations in by_framework(supported_combinations()).items()
        if framework in ADAPTERS
        for combination in ADAPTERS[framework].crash_combinations(combinations)
    )
