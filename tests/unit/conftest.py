"""Fixtures for the CLI's tests: a committed template repository and an isolated environment."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tqgen.template_source import TEMPLATE_ENV

REPO_ROOT = Path(__file__).resolve().parents[2]
GIT_ENV = {
    "GIT_AUTHOR_NAME": "tqgen tests",
    "GIT_AUTHOR_EMAIL": "tests@tqgen.invalid",
    "GIT_COMMITTER_NAME": "tqgen tests",
    "GIT_COMMITTER_EMAIL": "tests@tqgen.invalid",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@pytest.fixture(scope="session")
def committed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository holding this checkout's copier.yml and templates/, committed."""
    repo = tmp_path_factory.mktemp("template-repo")
    shutil.copy2(REPO_ROOT / "copier.yml", repo / "copier.yml")
    shutil.copytree(REPO_ROOT / "templates", repo / "templates")
    env = {**GIT_ENV, "PATH": "/usr/bin:/bin:/usr/local/bin"}
    for command in (
        ["git", "init", "--quiet", "--initial-branch=main"],
        ["git", "add", "--all"],
        ["git", "commit", "--quiet", "--message", "templates under test"],
    ):
        subprocess.run(command, cwd=repo, env=env, check=True)
    return repo


@pytest.fixture(autouse=True)
def _isolated_environment(
    committed_template: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Point tqgen at the committed templates; keep the user's git and Copier config out."""
    monkeypatch.setenv(TEMPLATE_ENV, str(committed_template))
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    settings = tmp_path.parent / f"{tmp_path.name}-copier-settings.yml"
    settings.write_text("{}\n")  # an empty settings file: no user defaults, no trust
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(settings))
    monkeypatch.chdir(tmp_path)
