"""`tqgen update` against the tiny template, released as v0.1.0 and then v0.2.0."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tqgen.cli import app
from tqgen.template_source import TEMPLATE_ENV

runner = CliRunner()


def git(project: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=project, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def project(make_template, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A project generated from release v0.1.0 of a template that has since released v0.2.0."""
    repo = make_template({}, tag="v0.1.0")
    monkeypatch.setenv(TEMPLATE_ENV, str(repo))
    result = runner.invoke(app, ["new", "demo", "--defaults"])
    assert result.exit_code == 0, result.output
    make_template({"templates/alpha/README.md.jinja": "# {{ project_name }}, v2\n"}, "0.2.0", repo)
    return tmp_path / "demo"


class TestTo:
    @pytest.mark.parametrize("to", ["0.2.0", "v0.2.0"])
    def test_release_with_or_without_v_prefix_is_applied(self, project: Path, to: str):
        """--to names a release with or without the `v`, whatever the tag's own spelling."""
        result = runner.invoke(app, ["update", str(project), "--to", to])
        assert result.exit_code == 0, result.output
        assert (project / "README.md").read_text() == "# demo, v2\n"

    @pytest.mark.parametrize("check", [[], ["--check"]])
    def test_release_that_does_not_exist_is_refused(self, project: Path, check: list[str]):
        """--to a release the template never made is one line, exit 2, and changes nothing."""
        result = runner.invoke(app, ["update", str(project), "--to", "v9.9.9", *check])
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "has no release v9.9.9" in lines[0]
        assert "available" not in result.stdout
        assert git(project, "status", "--porcelain") == ""

    def test_check_reports_the_newest_release(self, project: Path):
        """--check names the version the project is at and the newest release."""
        result = runner.invoke(app, ["update", str(project), "--check"])
        assert result.exit_code == 0, result.output
        assert "template 0.1.0 -> 0.2.0" in result.stdout
