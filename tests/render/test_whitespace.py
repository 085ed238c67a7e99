"""Rendered files hold something, and Jinja blocks leave no runs of blank lines."""

from __future__ import annotations

from pathlib import Path

from support.checks import emptiness, plain_text_blank_lines, python_blank_lines, read_text
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

    def test_python_blank_lines(self, project: Path) -> None:
        """Python files have at most 2 blank lines at top level and 1 inside a block."""
        problems = [
            p
            for relative, text in _text_files(project)
            if relative.suffix == ".py"
            for p in python_blank_lines(relative, text)
        ]
        assert not problems, "\n".join(problems)

    def test_config_and_docs_blank_lines(self, project: Path) -> None:
        """TOML, YAML, Markdown and similar files have no run of 2+ blank lines."""
        files = _text_files(project)
        problems = [p for relative, text in files for p in plain_text_blank_lines(relative, text)]
        assert not problems, "\n".join(problems)


class TestBlankLineChecks:
    """The blank-line checks flag what a stray Jinja block leaves and nothing else."""

    def test_pep8_spacing_passes(self) -> None:
        """Two blank lines between top-level definitions and one inside a function pass."""
        code = "import os\n\n\ndef f():\n    a = 1\n\n    return a\n"
        assert python_blank_lines(Path("m.py"), code) == []

    def test_extra_blank_lines_fail(self) -> None:
        """Three blank lines at top level, or two inside a block, are flagged."""
        assert python_blank_lines(Path("m.py"), "a = 1\n\n\n\nb = 2\n")
        assert python_blank_lines(Path("m.py"), "def f():\n    a = 1\n\n\n    return a\n")

    def test_double_blank_in_toml_fails(self) -> None:
        """Two blank lines in a row in TOML are flagged; one is fine."""
        assert plain_text_blank_lines(Path("p.toml"), "[a]\n\n\n[b]\n")
        assert plain_text_blank_lines(Path("p.toml"), "[a]\n\n[b]\n") == []
