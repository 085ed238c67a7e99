"""Rendered projects are clean under ruff with their own configuration."""

from __future__ import annotations

from pathlib import Path

from support.tools import ruff


class TestRuff:
    """ruff neither reports nor reformats anything in a rendered project."""

    def test_check(self, project: Path) -> None:
        """`ruff check` reports nothing."""
        result = ruff(project, "check", "--output-format=concise")
        assert result.returncode == 0, result.stdout + result.stderr

    def test_format(self, project: Path) -> None:
        """`ruff format --check` would change no file."""
        result = ruff(project, "format", "--check")
        assert result.returncode == 0, result.stdout + result.stderr
