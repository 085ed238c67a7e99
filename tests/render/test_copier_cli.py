"""Plain `copier copy` renders the same project as the Python API the harness uses."""

from __future__ import annotations

from pathlib import Path

from support.gitrepo import TEMPLATE_TAG
from support.rendering import render_with_api, render_with_cli, tree_snapshot

DATA = {"framework": "celery", "project_name": "demo2"}


class TestCopierCli:
    """`copier copy --defaults --data framework=celery --data project_name=demo2 <repo> demo2`."""

    def test_same_tree_as_api(self, template_repo: Path, tmp_path: Path) -> None:
        """The CLI exits 0 from the latest tag and writes byte-identical files to `run_copy`."""
        cli_dst, api_dst = tmp_path / "cli" / "demo2", tmp_path / "api" / "demo2"
        result = render_with_cli(template_repo, cli_dst, DATA, tmp_path / "settings.yml")
        assert result.returncode == 0, result.stderr
        assert f"Copying from template version {TEMPLATE_TAG.removeprefix('v')}" in result.stderr
        render_with_api(template_repo, api_dst, DATA)
        cli_tree, api_tree = tree_snapshot(cli_dst), tree_snapshot(api_dst)
        assert sorted(cli_tree) == sorted(api_tree)
        differing = [name for name in cli_tree if cli_tree[name] != api_tree[name]]
        assert not differing, f"files differ between CLI and API renders: {differing}"
