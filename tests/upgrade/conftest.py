"""A template repository with two releases, and tqgen installed as a wheel would be."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.gitrepo import isolated_git_env
from support.upgrade import Releases, make_releases

from tqgen.template_source import TEMPLATE_ENV
from tqgen.versioning import URL_ENV


@pytest.fixture(scope="session")
def releases(template_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Releases:
    """The session's template repository with an older and a newer release tagged."""
    return make_releases(template_repo, tmp_path_factory.mktemp("upgrade"))


@pytest.fixture
def installed_tqgen(releases: Releases, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """tqgen as installed from a wheel: renders the plain copy, records the repository URL."""
    monkeypatch.setenv(TEMPLATE_ENV, str(releases.installed_copy))
    monkeypatch.setenv(URL_ENV, str(releases.repo))
    settings = tmp_path.parent / f"{tmp_path.name}-copier-settings.yml"
    settings.write_text("{}\n")  # an empty settings file: no user defaults, no trust
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(settings))
    for key, value in isolated_git_env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return tmp_path
