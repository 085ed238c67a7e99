"""Each hardened setting is guarded: deleting its line makes the generated config tests fail.

This proves that every hardening test in a generated project can fail. The framework's adapter
lists the settings and picks the combinations: one per broker, Django among them (its settings
live in a different file and namespace).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from support.combinations import Combination
from support.frameworks import FrameworkAdapter
from support.hardening import HardenedSetting, Wiring, delete_line, matching_lines, rewrite_line
from support.locking import BuildOnce, xdist_worker
from support.rendering import RenderedProjects
from support.tiers import mutation_cases, mutation_combinations, wiring_cases
from support.uvenv import install_copy, run_in_project

pytestmark = pytest.mark.e2e


@pytest.fixture
def mutable_project(
    combination: Combination, rendered_projects: RenderedProjects, shared_root: Path
) -> Path:
    """A synced copy of the project owned by this xdist worker (its tests run one at a time)."""
    source = rendered_projects.get(combination)
    cache = BuildOnce(shared_root / "mutable")
    return cache.get(f"{combination.id}-{xdist_worker()}", lambda t: install_copy(source, t))


def _suite(project: Path, tests: str) -> tuple[int, str]:
    result = run_in_project(
        project, ["python", "-m", "pytest", "-p", "no:cacheprovider", "-q", tests]
    )
    return result.returncode, result.stdout[-3000:] + result.stderr[-2000:]


def _syntax_error(path: Path) -> str | None:
    """Why the Python or YAML file at `path` no longer parses; None while it does."""
    try:
        if path.suffix in (".yaml", ".yml"):
            yaml.safe_load(path.read_text())
        else:
            compile(path.read_text(), str(path), "exec")
    except (SyntaxError, yaml.YAMLError) as error:
        return str(error)
    return None


def _suite_after(
    project: Path, change: Callable[[], str], path: Path, tests: str
) -> tuple[str, int, str]:
    """Run `tests` with `change` made to `path` (undone afterwards): the changed line, the
    exit code and the output."""
    original = path.read_text()
    try:
        line = change()
        if reason := _syntax_error(path):
            pytest.fail(f"the change only breaks the syntax ({reason}): {line.strip()!r}")
        code, output = _suite(project, tests)
    finally:
        path.write_text(original)
    return line, code, output


def _config_suite(project: Path, adapter: FrameworkAdapter) -> tuple[int, str]:
    return _suite(project, adapter.config_tests)


def _the_line(
    project: Path, adapter: FrameworkAdapter, setting: HardenedSetting | Wiring
) -> tuple[Path, int]:
    """The one line in the project's sources that sets `setting`."""
    hits = matching_lines(project, setting)
    assert len(hits) == 1, (
        f"{setting.name}: expected one line matching {setting.pattern.pattern!r} "
        f"in {setting.where}, "
        f"found {[f'{p.relative_to(project)}:{n + 1}' for p, n in hits]}; "
        f"update the {adapter.name} adapter's list in tests/support/frameworks/{adapter.name}.py"
    )
    return hits[0]


class TestHardeningIsTested:
    """The generated configuration tests guard every hardened line."""

    @pytest.mark.parametrize("combination", mutation_combinations(), ids=lambda c: c.id)
    def test_config_suite_passes_unmodified(
        self, mutable_project: Path, adapter: FrameworkAdapter
    ) -> None:
        """The generated configuration tests pass on the project as rendered."""
        code, output = _config_suite(mutable_project, adapter)
        assert code == 0, output

    @pytest.mark.parametrize(
        ("combination", "setting"),
        [pytest.param(c, s, id=f"{c.id}-{s.name}") for c, s in mutation_cases()],
    )
    def test_deleting_the_line_fails_the_suite(
        self, mutable_project: Path, adapter: FrameworkAdapter, setting: HardenedSetting
    ) -> None:
        """Without the setting's line, the generated configuration tests (or the setting's own
        test file) fail."""
        tests = setting.tests or adapter.config_tests
        path, number = _the_line(mutable_project, adapter, setting)
        removed, code, output = _suite_after(
            mutable_project, lambda: delete_line(path, number), path, tests
        )
        assert code != 0, f"{tests} still passes without: {removed.strip()}\n{output}"


class TestWiringIsTested:
    """The generated tests notice the plausible edit that undoes a guarantee's wiring."""

    @pytest.mark.parametrize(
        ("combination", "wiring"),
        [pytest.param(c, w, id=f"{c.id}-{w.name}") for c, w in wiring_cases()],
    )
    def test_undoing_the_wiring_fails_its_test(
        self, mutable_project: Path, adapter: FrameworkAdapter, wiring: Wiring
    ) -> None:
        """With the line edited, its generated test file fails (and passes as rendered)."""
        path, number = _the_line(mutable_project, adapter, wiring)
        code, output = _suite(mutable_project, wiring.tests)
        assert code == 0, output
        edited, code, output = _suite_after(
            mutable_project, lambda: rewrite_line(path, number, wiring), path, wiring.tests
        )
        assert code != 0, f"{wiring.tests} still passes with: {edited.strip()}\n{output}"
