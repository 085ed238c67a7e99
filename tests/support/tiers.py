"""Which combinations each test tier runs: every tier asks the framework adapters.

A framework enabled in copier.yml without an adapter is still rendered and linted under every
name; the other tiers cannot drive it, and the guard test (tests/render/test_adapters.py)
fails until its adapter exists.

| tier | combinations (per framework) | Celery | RQ |
| --- | --- | --- | --- |
| render, lint, contract | every supported one x every name, plus option variants | 26 | 14 |
| end to end (install, suite, round trip) | covering set: every broker, every web choice | 4 | 4 |
| crash: kill, docker stop, poison, failing, idempotent kill | one per broker | 2 each | 1 each |
| broker restart (and, Celery, a restart while a task runs) | the Redis crash combination | 1 | 1 |
| mutation | one per broker, Django among them; every hardened line | 2 (70 lines) | 1 (19) |
| wiring | the end-to-end set; every wiring edit of its web choice | 10 | 1 |

Budget per framework, so that `.ci/run` stays under 25 minutes with four frameworks on 2 cores
(test time per test; measured in a fresh clone's `.ci/run`, Nov 2026):

| step | budget | Celery measured | RQ measured |
| --- | --- | --- | --- |
| render tier, all cases | 60 s | ~55 s | ~30 s |
| `uv sync` of one project copy | 15 s | 2-5 s | 2-5 s |
| generated suite on the real broker | 30 s (10 s without a broker) | 3-5 s | 2-4 s |
| round trip through web app or CLI | 10 s | 3-4 s | 2-3 s |
| worker kill (shipped settings if the README's delay is short) | 120 s | 7-13 s | ~102 s |
| docker stop (soft shutdown, then a new worker) | 30 s | 17-19 s | ~17 s |
| poison task (every worker-lost retry, then a quiet period) | 35 s | 18-22 s | ~8 s |
| killed inside the idempotent block | 80 s | 6-13 s | ~77 s (RQ's floor ~60 s) |
| failing task (every retry, 1 s apart, then a quiet period) | 20 s | 9-13 s | ~8 s |
| broker restart (Redis), and a restart mid-task (Celery) | 20 s each | ~9 s, ~18 s | ~7 s |
| mutation, per hardened line | 3 s | ~1 s | ~1 s |

The unit and upgrade tiers are shared by all frameworks. The whole suite with Celery and RQ:
1691 tests in 10.1 min on 2 cores (`.ci/run` on a fresh clone, about 10.5 min in all).
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
    """The combinations a tier runs: each adapter picks from its framework's supported ones."""
    return tuple(
        combination
        for framework, combinations in by_framework(supported_combinations()).items()
        if framework in ADAPTERS
        for combination in tier(ADAPTERS[framework], combinations)
    )


@cache
def e2e_combinations() -> tuple[Combination, ...]:
    """Full end-to-end tier: install, generated suite on the real broker, round trip."""
    return _asked(FrameworkAdapter.e2e_combinations)


@cache
def mutation_combinations() -> tuple[Combination, ...]:
    """Combinations whose hardened lines the mutation test deletes one by one."""
    return _asked(FrameworkAdapter.mutation_combinations)


def mutation_cases() -> list[tuple[Combination, HardenedSetting]]:
    """(combination, hardened setting) for every line the mutation test deletes."""
    return [
        (combination, setting)
        for combination in mutation_combinations()
        for setting in adapter_for(combination.framework).hardened_settings(combination)
    ]


def wiring_cases() -> list[tuple[Combination, Wiring]]:
    """(combination, wiring) for every edit the mutation test makes: the end-to-end combinations
    cover every web choice, which is what wiring depends on."""
    return [
        (combination, wiring)
        for combination in e2e_combinations()
        for wiring in adapter_for(combination.framework).wiring(combination)
    ]


@cache
def crash_combinations() -> tuple[Combination, ...]:
    """Combinations whose workers the crash tests kill."""
    return _asked(FrameworkAdapter.crash_combinations)
