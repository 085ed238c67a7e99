"""Hardened settings as the mutation test sees them: one line each, found by a pattern.

docs/template-contract.md asks every template to assign each hardened setting on a line of its
own. Each framework adapter lists its settings (`FrameworkAdapter.hardened_settings`); the
mutation test deletes each line in turn and expects the generated configuration tests to fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class HardenedSetting:
    """One hardened setting.

    Attributes:
        name: the setting's name, used as the test id.
        pattern: a regular expression matching the one line that sets it.
        brokers: the brokers for which the template sets it.
    """

    name: str
    pattern: re.Pattern[str]
    brokers: tuple[str, ...]


def matching_lines(project: Path, setting: HardenedSetting) -> list[tuple[Path, int]]:
    """(file, 0-based line number) of every line under the project's src/ that sets `setting`."""
    return [
        (path, number)
        for path in sorted((project / "src").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines())
        if setting.pattern.search(line)
    ]


def delete_line(path: Path, number: int) -> str:
    """Delete the 0-based line `number` of `path` and return it."""
    lines = path.read_text().splitlines(keepends=True)
    removed = lines.pop(number)
    path.write_text("".join(lines))
    return removed
