"""Pure checks on rendered files: Jinja residue, emptiness, blank runs. Each returns problems.

Python files are left to `ruff format --check`, which the render tier runs.
"""

from __future__ import annotations

import re
from pathlib import Path

JINJA_MARKERS = ("{{", "{%", "{#")
# GitHub Actions expressions (`${{ matrix.python }}`) are workflow syntax, not Jinja left behind.
GITHUB_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
# Files that are empty by convention.
EMPTY_BY_DESIGN = frozenset({"py.typed"})
# Text formats with no formatter in the generated project, where Jinja blocks leave blank runs.
PLAIN_TEXT_SUFFIXES = frozenset({".toml", ".yaml", ".yml", ".md", ".cfg", ".ini", ".txt", ".json"})
PLAIN_TEXT_NAMES = frozenset({"Dockerfile", ".gitignore", ".dockerignore", ".env.example"})


def is_github_workflow(relative: Path) -> bool:
    """Whether a project-relative path is a GitHub Actions workflow or action file."""
    return relative.parts[:1] == (".github",) and relative.suffix in {".yml", ".yaml"}


def read_text(path: Path) -> str | None:
    """The file's text, or None for a binary file."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None


def path_residue(relative: Path) -> list[str]:
    """Problems with a rendered path: Jinja markers or a template suffix left in it."""
    problems = [
        f"{relative}: Jinja marker {marker!r} in the path"
        for marker in JINJA_MARKERS
        if marker in relative.as_posix()
    ]
    if relative.suffix == ".jinja":
        problems.append(f"{relative}: the .jinja suffix was left on a rendered file")
    return problems


def text_residue(relative: Path, text: str) -> list[str]:
    """Problems with rendered text: `{{`, `{%` or `{#` (GitHub expressions in workflows allowed)."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        checked = GITHUB_EXPRESSION.sub("", line) if is_github_workflow(relative) else line
        problems += [
            f"{relative}:{number}: Jinja marker {marker!r}: {line.strip()}"
            for marker in JINJA_MARKERS
            if marker in checked
        ]
    return problems


def emptiness(relative: Path, text: str) -> list[str]:
    """A problem if the file holds nothing but whitespace (py.typed excepted)."""
    if relative.name in EMPTY_BY_DESIGN or text.strip():
        return []
    return [f"{relative}: the file is empty"]


def _lines(text: str) -> list[str]:
    """The file's lines without the final newline's empty remainder."""
    lines = text.split("\n")
    return lines[:-1] if text.endswith("\n") else lines


def _blank_runs(lines: list[str]) -> list[tuple[int, int, str]]:
    """(first line number, length, next non-blank line) of each run of blank lines."""
    runs, start = [], None
    for index, line in enumerate([*lines, "<end>"]):
        if not line.strip() and index < len(lines):
            start = index if start is None else start
        elif start is not None:
            runs.append((start + 1, index - start, line))
            start = None
    return runs


def plain_text_blank_lines(relative: Path, text: str) -> list[str]:
    """Runs of 2+ blank lines in a config or Markdown file (what a Jinja block leaves behind)."""
    if relative.suffix not in PLAIN_TEXT_SUFFIXES and relative.name not in PLAIN_TEXT_NAMES:
        return []
    return [
        f"{relative}:{first}: {length} blank lines in a row"
        for first, length, _following in _blank_runs(_lines(text))
        if length > 1
    ]
