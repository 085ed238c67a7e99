"""Render tier: every supported combination plus a few option variants, rendered once."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.combinations import Combination, option_variants, supported_combinations
from support.rendering import RenderedProjects


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize `combination` over the supported combinations and the option variants."""
    if "combination" in metafunc.fixturenames:
        renders = [*supported_combinations(), *option_variants()]
        metafunc.parametrize("combination", renders, ids=[c.id for c in renders])


@pytest.fixture
def project(rendered_projects: RenderedProjects, combination: Combination) -> Path:
    """The project rendered for this test's combination (shared: tests must not modify it)."""
    return rendered_projects.get(combination)
