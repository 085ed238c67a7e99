"""Every hardened setting sits on a line of its own in every combination's sources.

The mutation test (tests/e2e/test_hardening.py) deletes these lines on a few combinations; this
check runs on every render, so a renamed setting or a pattern gone stale shows up in seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from support.combinations import Combination
from support.frameworks import adapter_for
from support.hardening import HardenedSetting, Wiring, matching_lines


def _not_on_one_line(project: Path, items: Sequence[HardenedSetting | Wiring]) -> list[str]:
    """A line for each setting or wiring that matches no line or several in its files."""
    problems = []
    for item in items:
        hits = matching_lines(project, item)
        if len(hits) != 1:
            where = [f"{path.relative_to(project)}:{number + 1}" for path, number in hits]
            problems.append(f"{item.name}: {len(hits)} lines {where}")
    return problems


class TestHardenedLines:
    """The adapter's patterns against the rendered sources."""

    def test_each_setting_on_exactly_one_line(
        self, project: Path, combination: Combination
    ) -> None:
        """Each hardened setting of the combination matches exactly one line in its files."""
        adapter = adapter_for(combination.framework)
        settings = adapter.hardened_settings(combination)
        assert settings, f"the {adapter.name} adapter lists no hardened setting"
        problems = _not_on_one_line(project, settings)
        assert not problems, (
            f"update tests/support/frameworks/{adapter.name}.py or the template:\n"
            + "\n".join(problems)
        )

    def test_each_wiring_on_exactly_one_line(self, project: Path, combination: Combination) -> None:
        """Each wiring the mutation test edits matches exactly one line in its files."""
        adapter = adapter_for(combination.framework)
        problems = _not_on_one_line(project, adapter.wiring(combination))
        assert not problems, (
            f"update tests/support/frameworks/{adapter.name}.py or the template:\n"
            + "\n".join(problems)
        )
