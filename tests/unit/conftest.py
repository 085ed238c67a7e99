"""Fixtures for the CLI's tests: a committed template repository and an isolated environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.combinations import REPO_ROOT
from support.gitrepo import build_template_repo, isolated_git_env

from tqgen.template_source import TEMPLATE_ENV


@pytest.fixture(scope="session")
def committed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository holding this checkout's copier.yml and templates/, committed."""
    return build_template_repo(REPO_ROOT, tmp_path_factory.mktemp("cli") / "template-repo")


@pytest.fixture(autouse=True)
def _isolated_environment(
    committed_template: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Point tqgen at the committed templates; keep the user's git and Copier config out."""
    monkeypatch.setenv(TEMPLATE_ENV, str(committed_template))
    for key, value in isolated_git_env().items():
        monkeypatch.setenv(key, value)
    settings = tmp_path.parent / f"{tmp_path.name}-copier-settings.yml"
    settings.write_text("{}\n")  # an empty settings file: no user defaults, no trust
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(settings))
    monkeypatch.chdir(tmp_path)
