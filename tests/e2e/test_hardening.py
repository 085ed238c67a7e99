"""Each hardened setting is guarded: deleting its line makes the generated test_config.py fail.

This proves that every hardening test in a generated project can fail. Run for one Redis and one
RabbitMQ combination, Django among them (its settings live in a different file and namespace).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e.hardening import HardenedSetting, hardened_settings
from support.combinations import Combination, supported_combinations
from support.locking import BuildOnce, xdist_worker
from support.rendering import RenderedProjects
from support.uvenv import copy_project, run_in_project, uv_sync

pytestmark = pytest.mark.e2e

CONFIG_TESTS = "tests/test_config.py"


def _mutation_combinations() -> list[Combination]:
    """A Redis combination with Django and a RabbitMQ combination without it."""
    combos = supported_combinations()
    picked = [
        next((c for c in combos if c.broker == "redis" and c.web == "django"), None),
        next((c for c in combos if c.broker == "rabbitmq" and c.web != "django"), None),
    ]
    return [c for c in picked if c is not None]


CASES = [
    pytest.param(combination, setting, id=f"{combination.id}-{setting.name}")
    for combination in _mutation_combinations()
    for setting in hardened_settings(combination.framework, combination.broker)
]


@pytest.fixture
def mutable_project(
    combination: Combination, rendered_projects: RenderedProjects, shared_root: Path
) -> Path:
    """A synced copy of the project owned by this xdist worker (its tests run one at a time)."""

    def build(target: Path) -> None:
        copy_project(rendered_projects.get(combination), target)
        uv_sync(target)

    cache = BuildOnce(shared_root / "mutable")
    return cache.get(f"{combination.id}-{xdist_worker()}", build)


def _config_suite(project: Path) -> tuple[int, str]:
    result = run_in_project(
        project, ["python", "-m", "pytest", "-p", "no:cacheprovider", "-q", CONFIG_TESTS]
    )
    return result.returncode, result.stdout[-3000:] + result.stderr[-2000:]


def _the_line(project: Path, setting: HardenedSetting) -> tuple[Path, int]:
    """The one line in the project's sources that sets `setting`."""
    hits = [
        (path, number)
        for path in sorted((project / "src").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines())
        if setting.pattern.search(line)
    ]
    assert len(hits) == 1, (
        f"{setting.name}: expected one line matching {setting.pattern.pattern!r} under src/, "
        f"found {[f'{p.relative_to(project)}:{n + 1}' for p, n in hits]}; "
        "update tests/e2e/hardening.py"
    )
    return hits[0]


class TestHardeningIsTested:
    """The generated configuration tests guard every hardened line."""

    @pytest.mark.parametrize("combination", _mutation_combinations(), ids=lambda c: c.id)
    def test_config_suite_passes_unmodified(self, mutable_project: Path) -> None:
        """The generated tests/test_config.py passes on the project as rendered."""
        code, output = _config_suite(mutable_project)
        assert code == 0, output

    @pytest.mark.parametrize(("combination", "setting"), CASES)
    def test_deleting_the_line_fails_the_suite(
        self, mutable_project: Path, setting: HardenedSetting
    ) -> None:
        """Without the setting's line, the generated tests/test_config.py fails."""
        path, number = _the_line(mutable_project, setting)
        original = path.read_text()
        lines = original.splitlines(keepends=True)
        removed = lines.pop(number)
        try:
            path.write_text("".join(lines))
            code, output = _config_suite(mutable_project)
        finally:
            path.write_text(original)
        assert code != 0, f"test_config.py still passes without: {removed.strip()}\n{output}"
