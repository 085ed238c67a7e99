"""End-to-end tier: generated projects installed with uv and run against the local brokers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.brokers import BrokerTarget, isolated_broker_if_any
from support.combinations import Combination
from support.frameworks import FrameworkAdapter, adapter_for
from support.locking import BuildOnce
from support.rendering import RenderedProjects
from support.tiers import e2e_combinations
from support.uvenv import install_copy


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize `combination` over the adapters' end-to-end combinations, unless a test picks."""
    chosen = any(
        "combination" in str(marker.args[0])
        for marker in metafunc.definition.iter_markers("parametrize")
    )
    if "combination" in metafunc.fixturenames and not chosen:
        combinations = e2e_combinations()
        metafunc.parametrize("combination", combinations, ids=[c.id for c in combinations])


@pytest.fixture(scope="session")
def installed_projects(shared_root: Path) -> BuildOnce:
    """Rendered projects with their own `.venv`, built once per session across xdist workers."""
    return BuildOnce(shared_root / "installed")


@pytest.fixture
def installed_project(
    installed_projects: BuildOnce, rendered_projects: RenderedProjects, combination: Combination
) -> Path:
    """This combination's project after `uv sync` (shared: tests must not modify it)."""
    source = rendered_projects.get(combination)
    return installed_projects.get(combination.id, lambda target: install_copy(source, target))


@pytest.fixture(scope="session")
def probe_projects(shared_root: Path) -> BuildOnce:
    """Rendered projects with the adapter's probe installed, built once per session."""
    return BuildOnce(shared_root / "probe")


@pytest.fixture
def probe_project(
    probe_projects: BuildOnce, rendered_projects: RenderedProjects, combination: Combination
) -> Path:
    """This combination's project with the probe in `src/`, after `uv sync` (shared: read only)."""
    source = rendered_projects.get(combination)
    probe = adapter_for(combination.framework).install_probe
    return probe_projects.get(combination.id, lambda target: install_copy(source, target, probe))


@pytest.fixture
def adapter(combination: Combination) -> FrameworkAdapter:
    """The test harness's adapter for this combination's framework."""
    return adapter_for(combination.framework)


@pytest.fixture
def broker_target(combination: Combination) -> Iterator[BrokerTarget | None]:
    """A Redis database or RabbitMQ vhost of this test's own, emptied afterwards; None for a
    combination without a broker (Airflow's local executor)."""
    with isolated_broker_if_any(combination.broker) as target:
        yield target
