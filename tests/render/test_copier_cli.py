"""Plain `copier copy` renders the same project as the Python API the harness uses."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.combinations import by_framework, supported_combinations
from support.gitrepo import TEMPLATE_TAG
from support.names import LONG_NAME
from support.rendering import render_with_api, render_with_cli, tree_snapshot
from typer.testing import CliRunner

from tqgen.cli import app
from tqgen.template_source import TEMPLATE_ENV


@pytest.mark.parametrize("framework", list(by_framework(supported_combinations())))
class TestCopierCli:
    """`copier copy --defaults --data framework=F --data project_name=<long name> <repo> <dst>`."""

    def test_same_tree_as_api(self, framework: str, template_repo: Path, tmp_path: Path) -> None:
        """The CLI exits 0 from the latest tag and writes byte-identical files to `run_copy`."""
        data = {"framework": framework, "project_name": LONG_NAME}
        cli_dst, api_dst = tmp_path / "cli" / LONG_NAME, tmp_path / "api" / LONG_NAME
        result = render_with_cli(template_repo, cli_dst, data, tmp_path / "settings.yml")
        assert result.returncode == 0, result.stderr
        assert f"Copying from template version {TEMPLATE_TAG.removeprefix('v')}" in result.stderr
        render_with_api(template_repo, api_dst, data)
        cli_tree, api_tree = tree_snapshot(cli_dst), tree_snapshot(api_dst)
        assert sorted(cli_tree) == sorted(api_tree)
        differing = [name for name in cli_tree if cli_tree[name] != api_tree[name]]
        assert not differing, f"files differ between CLI and API renders: {differing}"

    def test_same_next_steps_as_tqgen_new(
        self, framework: str, template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Plain `copier copy` ends with the next steps `tqgen new` prints, plus the first commit
        that `tqgen new` has made already."""
        data = {"framework": framework, "project_name": "demo"}
        monkeypatch.chdir(tmp_path)
        result = render_with_cli(template_repo, Path("demo"), data, tmp_path / "settings.yml")
        assert result.returncode == 0, result.stderr
        copier_steps = result.stderr[result.stderr.index("Created demo") :].rstrip().splitlines()
        monkeypatch.setenv(TEMPLATE_ENV, str(template_repo))
        (tmp_path / "out").mkdir()
        new = CliRunner().invoke(
            app, ["new", "demo", "-o", "out", "--framework", framework, "--defaults"]
        )
        assert new.exit_code == 0, new.output
        tqgen_steps = new.stdout.rstrip().replace(str(tmp_path / "out" / "demo"), "demo")
        first_commit = [line for line in copier_steps if line.lstrip().startswith("git init")]
        assert len(first_commit) == 1, copier_steps
        assert [line for line in copier_steps if line not in first_commit] == (
            tqgen_steps.splitlines()
        )
