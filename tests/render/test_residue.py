"""Rendered projects carry no Jinja left behind, in paths or in file contents."""

from __future__ import annotations

from pathlib import Path

from support.checks import path_residue, read_text, text_residue
from support.rendering import project_files


class TestJinjaResidue:
    """No `{{`, `{%` or `{#` survives rendering (GitHub `${{ }}` expressions excepted)."""

    def test_paths(self, project: Path) -> None:
        """No rendered path contains a Jinja marker or keeps the .jinja suffix."""
        problems = [p for f in project_files(project) for p in path_residue(f.relative_to(project))]
        assert not problems, "\n".join(problems)

    def test_contents(self, project: Path) -> None:
        """No rendered text file contains a Jinja marker."""
        problems = []
        for path in project_files(project):
            text = read_text(path)
            if text is not None:
                problems += text_residue(path.relative_to(project), text)
        assert not problems, "\n".join(problems)


class TestTextResidueCheck:
    """The residue check itself tells workflow expressions from Jinja."""

    def test_github_expression_in_workflow_is_allowed(self) -> None:
        """`${{ matrix.python }}` in a workflow is not residue."""
        workflow = Path(".github/workflows/ci.yml")
        assert text_residue(workflow, "python: ${{ matrix.python }}\n") == []

    def test_jinja_in_workflow_is_caught(self) -> None:
        """A bare `{{ x }}` next to a GitHub expression is still caught."""
        workflow = Path(".github/workflows/ci.yml")
        assert text_residue(workflow, "a: ${{ matrix.python }} {{ python_version }}\n")

    def test_dollar_braces_outside_workflows_is_caught(self) -> None:
        """`${{` outside .github is Jinja residue, not a workflow expression."""
        assert text_residue(Path("README.md"), "run ${{ x }}\n")
