"""Every hardened setting sits on a line of its own in every combination's sources.

The mutation test (tests/e2e/test_hardening.py) deletes these lines on a few combinations; this
check runs on every render, so a renamed setting or a pattern gone stale shows up in seconds.
"""

from __future__ import annotations

from pathlib import Path

from support.combinations import Combination
from support.frameworks import adapter_for
from support.hardening import matching_lines


class TestHardenedLines:
    """The adapter's patterns against the rendered sources."""

    def test_each_setting_on_exactly_one_line(
        self, project: Path, combination: Combination
    ) -> None:
        """Each hardened setting of the combination matches exactly one line under src/."""
        adapter = adapter_for(combination.framework)
        settings = adapter.hardened_settings(combination)
        assert settings, f"the {adapter.name} adapter lists no hardened setting"
        problems = []
        for setting in settings:
            hits = matching_lines(project, setting)
            if len(hits) != 1:
                where = [f"{path.relative_to(project)}:{number + 1}" for path, number in hits]
                problems.append(f"{setting.name}: {len(hits)} lines {where}")
        assert not problems, (
            f"update tests/support/frameworks/{adapter.name}.py or the template:\n"
            + "\n".join(problems)
        )

    def test_each_wiring_on_exactly_one_line(self, project: Path, combination: Combination) -> None:
        """Each wiring the mutation test edits matches exactly one line under src/."""
        adapter = adapter_for(combination.framework)
        problems = []
        for wiring in adapter.wiring(combination):
            hits = matching_lines(project, wiring)
            if len(hits) != 1:
                where = [f"{path.relative_to(project)}:{number + 1}" for path, number in hits]
                problems.append(f"{wiring.name}: {len(hits)} lines {where}")
        assert not problems, (
            f"update tests/support/frameworks/{adapter.name}.py or the template:\n"
            + "\n".join(problems)
        )
