"""The wheel carries the templates: an installed tqgen renders offline and its projects update."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.gitrepo import git, isolated_git_env
from support.paths import REPO_ROOT
from support.upgrade import NEW_FILE, NEW_TAG, OLD_TAG, Releases, plain_copier_update
from support.uvenv import uv_binary, uv_cache_dir

from tqgen.template_source import TEMPLATE_ENV
from tqgen.versioning import URL_ENV


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with tqgen installed from a freshly built wheel."""
    root = tmp_path_factory.mktemp("wheel")
    env = {**os.environ, "UV_CACHE_DIR": str(uv_cache_dir()), "UV_PYTHON_DOWNLOADS": "never"}
    uv = uv_binary()
    subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(root / "dist"), str(REPO_ROOT)],
        env=env,
        capture_output=True,
        check=True,
    )
    wheel = next((root / "dist").glob("tqgen-*.whl"))
    subprocess.run(
        [uv, "venv", "--quiet", "--python", sys.executable, str(root / "venv")],
        env=env,
        check=True,
    )
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--python",
            str(root / "venv" / "bin" / "python"),
            str(wheel),
        ],
        env=env,
        check=True,
    )
    return root / "venv" / "bin" / "tqgen"


@pytest.mark.e2e
class TestInstalledWheel:
    def test_wheel_project_updates_with_plain_copier(
        self, installed_wheel: Path, releases: Releases, tmp_path: Path
    ):
        """A project from the wheel's tqgen records the release and takes the next one."""
        env = (
            {key: value for key, value in os.environ.items() if key != TEMPLATE_ENV}
            | isolated_git_env()
            | {URL_ENV: str(releases.repo)}
        )
        subprocess.run(
            [str(installed_wheel), "new", "demo", "--defaults"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            check=True,
        )
        project = tmp_path / "demo"
        answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
        assert (answers["_src_path"], answers["_commit"]) == (str(releases.repo), OLD_TAG)

        result = plain_copier_update(project, env)
        assert result.returncode == 0, result.stderr
        assert (project / NEW_FILE).is_file()
        assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"] == NEW_TAG
        # Nothing but the release's own changes: the wheel rendered exactly the tagged release.
        changed = git(project, "status", "--porcelain").splitlines()
        assert sorted(line[3:] for line in changed) == [
            ".copier-answers.yml",
            "README.md",
            NEW_FILE,
        ]
