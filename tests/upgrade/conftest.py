"""A template repository with two releases, and projects generated from the older one."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.version import Version
from support.combinations import REPO_ROOT
from support.gitrepo import (
    TEMPLATE_TAG,
    build_template_repo,
    git,
    git_save,
    isolated_git_env,
)

from tqgen import __version__
from tqgen.template_source import TEMPLATE_ENV
from tqgen.versioning import URL_ENV

OLD_TAG = f"v{__version__}"
NEW_TAG = (
    f"v{Version(__version__).major}.{Version(__version__).minor}.{Version(__version__).micro + 1}"
)
# What the newer release changes; the user edits the README title too, so that line conflicts.
NEW_README_TITLE = "# {{ project_name }}: background tasks"
NEW_FILE = "UPGRADING.md"


def frameworks(template_dir: Path) -> list[str]:
    return sorted(
        path.name
        for path in (template_dir / "templates").iterdir()
        if path.is_dir() and not path.name.startswith("_")
    )


def make_newer_release(repo: Path) -> None:
    """A realistic template change: a new question with a default, a new file, a changed line."""
    with (repo / "copier.yml").open("a", encoding="utf-8") as config:
        config.write(
            "\nupgrade_notes:\n  type: bool\n  help: Ship upgrade notes\n  default: true\n"
        )
    for framework in frameworks(repo):
        root = repo / "templates" / framework
        readme = root / "README.md.jinja"
        lines = readme.read_text(encoding="utf-8").splitlines(keepends=True)
        title = next(i for i, line in enumerate(lines) if line.startswith("# "))
        lines[title] = NEW_README_TITLE + "\n"
        readme.write_text("".join(lines), encoding="utf-8")
        (root / f"{{% if upgrade_notes %}}{NEW_FILE}{{% endif %}}.jinja").write_text(
            "# Upgrading {{ project_name }}\n\nRun `tqgen update` or `copier update`.\n",
            encoding="utf-8",
        )


@dataclass(frozen=True)
class Releases:
    """The template repository (two tags) and a plain copy of the older release.

    Attributes:
        repo: A git repository tagged OLD_TAG and NEW_TAG.
        installed_copy: The older release as a plain folder, as the wheel carries it.
    """

    repo: Path
    installed_copy: Path


@pytest.fixture(scope="session")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Releases:
    root = tmp_path_factory.mktemp("upgrade")
    repo = build_template_repo(REPO_ROOT, root / "template-releases")
    # Release tags only: the snapshot's own tag would name the same commit.
    git(repo, "tag", "--delete", TEMPLATE_TAG)
    git(repo, "tag", OLD_TAG)
    # The wheel's copy of the older release: the same files, no history.
    installed_copy = root / "installed" / "_template"
    shutil.copytree(repo, installed_copy, ignore=shutil.ignore_patterns(".git"))
    make_newer_release(repo)
    git_save(repo, "newer release", tag=NEW_TAG)
    return Releases(repo=repo, installed_copy=installed_copy)


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


def plain_copier_update(
    project: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `copier update --defaults` in project, as a user without tqgen would."""
    return subprocess.run(
        [sys.executable, "-m", "copier", "update", "--defaults", "--quiet"],
        cwd=project,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
