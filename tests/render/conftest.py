"""Render tier: every supported combination under every project name, plus option variants."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.combinations import Combination
from support.rendering import RenderedProjects
from support.tiers import render_cases


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize `combination` over the render cases the framework adapters ask for."""
    if "combination" in metafunc.fixturenames:
        renders = render_cases()
        metafunc.parametrize("combination", renders, ids=[c.id for c in renders])


@pytest.fixture
def project(rendered_projects: RenderedProjects, combination: Combination) -> Path:
    """The project rendered for this test's combination (shared: tests must not modify it)."""
    return rendered_projects.get(combination)
