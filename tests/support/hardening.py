"""Hardened settings and wiring as the mutation test sees them: one line each, found by a pattern.

docs/template-contract.md asks every template to assign each hardened setting on a line of its
own. Each framework adapter lists its settings (`FrameworkAdapter.hardened_settings`); the
mutation test deletes each line in turn and expects the generated configuration tests to fail.
Wiring (`FrameworkAdapter.wiring`) is edited instead of deleted, and a named test must fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# Where a line is looked for unless a setting says otherwise: the generated package's code.
IN_SOURCE = ("src/**/*.py",)


@dataclass(frozen=True)
class HardenedSetting:
    """One hardened setting.

    Attributes:
        name: the setting's name, used as the test id.
        pattern: a regular expression matching the one line that sets it.
        brokers: the brokers for which the template sets it.
        where: globs, relative to the project, of the files that hold the line (a workflow
            engine's settings live in compose.yaml and its DAG files, not in a package).
        tests: the generated test file that guards it, when it is not the adapter's
            configuration tests (a real signal to a real worker has a file of its own).
    """

    name: str
    pattern: re.Pattern[str]
    brokers: tuple[str, ...]
    where: tuple[str, ...] = IN_SOURCE
    tests: str | None = None


@dataclass(frozen=True)
class Wiring:
    """A line that wires a guarantee in, and the plausible edit that would quietly undo it.

    Deleting such a line breaks the project outright; the edit that matters keeps it working
    (`apply_async` for `apply_async_on_commit`), and only a test of the guarantee notices.

    Attributes:
        name: the wiring's name, used as the test id.
        pattern: a regular expression matching the one line under src/ that wires it.
        replacement: what the match becomes (`re.sub` syntax).
        webs: the web answers whose projects carry the line.
        tests: the generated test file that must fail after the edit.
        where: globs, relative to the project, of the files that hold the line.
    """

    name: str
    pattern: re.Pattern[str]
    replacement: str
    webs: tuple[str, ...]
    tests: str
    where: tuple[str, ...] = IN_SOURCE


def matching_lines(project: Path, setting: HardenedSetting | Wiring) -> list[tuple[Path, int]]:
    """(file, 0-based line number) of every line in the setting's files that sets it."""
    paths = sorted({path for glob in setting.where for path in project.glob(glob)})
    return [
        (path, number)
        for path in paths
        for number, line in enumerate(path.read_text().splitlines())
        if setting.pattern.search(line)
    ]


def delete_line(path: Path, number: int) -> str:
    """Delete the 0-based line `number` of `path` and return it."""
    lines = path.read_text().splitlines(keepends=True)
    removed = lines.pop(number)
    path.write_text("".join(lines))
    return removed


def rewrite_line(path: Path, number: int, wiring: Wiring) -> str:
    """Apply `wiring`'s edit to the 0-based line `number` of `path`; return the new line."""
    lines = path.read_text().splitlines(keepends=True)
    lines[number] = wiring.pattern.sub(wiring.replacement, lines[number])
    path.write_text("".join(lines))
    return lines[number]
