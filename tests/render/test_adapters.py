"""Every framework copier.yml enables has a harness adapter that gives every tier work.

The guard `adapter_problems` is tested on copies of copier.yml and on stub adapters, so it is
shown to fail the day a fourth framework is switched on without its adapter.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml
from support import tiers
from support.combinations import (
    Combination,
    by_framework,
    combinations_from,
    supported_combinations,
)
from support.frameworks import ADAPTERS, adapter_problems
from support.frameworks.celery import CeleryAdapter
from support.hardening import HardenedSetting
from support.paths import REPO_ROOT


def _with_stub_framework(tmp_path: Path) -> list[Combination]:
    """The combinations of a copy of copier.yml with a `stub` framework choice enabled."""
    config = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
    config["framework"]["choices"]["Stub"] = "stub"
    (tmp_path / "copier.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return combinations_from(tmp_path)


class NoHardening(CeleryAdapter):
    """An adapter that forgot its hardened settings."""

    def hardened_settings(self, combination: Combination) -> tuple[HardenedSetting, ...]:
        return ()


class NoEndToEnd(CeleryAdapter):
    """An adapter that picks nothing for the end-to-end tier."""

    def e2e_combinations(self, combinations: Sequence[Combination]) -> list[Combination]:
        return []


class RedisOnly(CeleryAdapter):
    """An adapter whose end-to-end tier leaves RabbitMQ out."""

    def e2e_combinations(self, combinations: Sequence[Combination]) -> list[Combination]:
        return [c for c in super().e2e_combinations(combinations) if c.broker == "redis"]


class TestAdapterGuard:
    """`adapter_problems` names each framework the tiers would skip or under-test."""

    def test_repository_frameworks_have_adapters(self) -> None:
        """Each framework of this copier.yml has an adapter covering every broker and web choice."""
        problems = adapter_problems(supported_combinations(), ADAPTERS)
        assert not problems, "\n".join(problems)

    def test_enabled_framework_without_adapter(self, tmp_path: Path) -> None:
        """A framework enabled in a copy of copier.yml, with no adapter, is reported by name."""
        combinations = _with_stub_framework(tmp_path)
        assert any(c.framework == "stub" for c in combinations)
        problems = adapter_problems(combinations, ADAPTERS)
        assert problems == [
            "framework 'stub' is enabled in copier.yml but the test harness has no adapter for "
            "it: add tests/support/frameworks/stub.py (a FrameworkAdapter subclass) and register "
            "it in ADAPTERS in tests/support/frameworks/__init__.py"
        ]

    def test_adapter_without_mutation_cases(self) -> None:
        """An adapter with no hardened settings gives the mutation test nothing: reported."""
        problems = adapter_problems(supported_combinations(), {"celery": NoHardening()})
        assert any("mutation test no case" in problem for problem in problems), problems

    def test_adapter_without_e2e_combinations(self) -> None:
        """An adapter that picks no end-to-end combination is reported."""
        problems = adapter_problems(supported_combinations(), {"celery": NoEndToEnd()})
        assert "celery: the adapter gives the end-to-end tier no combination" in problems

    def test_adapter_leaving_a_broker_out(self) -> None:
        """An end-to-end selection that misses a supported broker is reported with the broker."""
        problems = adapter_problems(supported_combinations(), {"celery": RedisOnly()})
        assert "celery: the end-to-end tier runs no combination with broker rabbitmq" in problems


class TestTiers:
    """Each tier runs what every adapter's own method gives it (an override included)."""

    @pytest.mark.parametrize(
        "method",
        [
            "e2e_combinations",
            "roundtrip_combinations",
            "crash_combinations",
            "workflow_combinations",
            "mutation_combinations",
        ],
    )
    def test_a_tier_runs_every_adapter_s_picks(self, method: str) -> None:
        """`support.tiers.<method>()` is the adapters' `<method>` picks, none of them empty."""
        picks = {
            framework: getattr(ADAPTERS[framework], method)(combinations)
            for framework, combinations in by_framework(supported_combinations()).items()
        }
        assert list(getattr(tiers, method)()) == [c for chosen in picks.values() for c in chosen]
        assert any(picks.values()), f"no adapter gives {method} a combination"
