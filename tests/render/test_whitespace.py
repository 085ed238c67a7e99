"""Rendered files hold something, and Jinja blocks leave no runs of blank lines.

Python files are checked by `ruff format --check` (test_ruff.py), which covers blank lines.
"""

from __future__ import annotations

from pathlib import Path

from support.checks import emptiness, plain_text_blank_lines, read_text
from support.rendering import project_files


def _text_files(project: Path) -> list[tuple[Path, str]]:
    files = [(path.relative_to(project), read_text(path)) for path in project_files(project)]
    return [(relative, text) for relative, text in files if text is not None]


class TestRenderedWhitespace:
    """The rendered text is byte-clean."""

    def test_no_empty_file(self, project: Path) -> None:
        """Every rendered file has content (py.typed excepted)."""
        problems = [p for relative, text in _text_files(project) for p in emptiness(relative, text)]
        assert not problems, "\n".join(problems)

    def test_config_and_docs_blank_lines(self, project: Path) -> None:
        """TOML, YAML, Markdown and similar files have no run of 2+ blank lines."""
        files = _text_files(project)
        problems = [p for relative, text in files for p in plain_text_blank_lines(relative, text)]
        assert not problems, "\n".join(problems)


class TestBlankLineChecks:
    """The blank-line checks flag what a stray Jinja block leaves and nothing else."""

    def test_double_blank_in_toml_fails(self) -> None:
        """Two blank lines in a row in TOML are flagged; one is fine."""
        assert plain_text_blank_lines(Path("p.toml"), "[a]\n\n\n[b]\n")
        assert plain_text_blank_lines(Path("p.toml"), "[a]\n\n[b]\n") == []
