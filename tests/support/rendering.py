"""Render projects from the template repository, through Copier's API or its CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import copier

from support.combinations import Combination
from support.gitrepo import isolated_git_env
from support.locking import BuildOnce

# Directories that tools create inside a project; they are never part of what was rendered.
TOOL_DIRS = frozenset(
    {".venv", ".git", ".ruff_cache", ".pytest_cache", "__pycache__", ".mypy_cache"}
)


def render_with_api(repo: Path, destination: Path, data: Mapping[str, Any]) -> Path:
    """Render `repo` at HEAD into `destination` without asking anything."""
    copier.run_copy(
        str(repo),
        destination,
        data=dict(data),
        defaults=True,
        quiet=True,
        vcs_ref="HEAD",
        settings=copier.Settings(),
    )
    return destination


def copier_cli_env(settings_file: Path) -> dict[str, str]:
    """Environment for the copier CLI: isolated git and an empty user settings file."""
    settings_file.write_text("defaults: {}\ntrust: []\n")
    return {**os.environ, **isolated_git_env(), "COPIER_SETTINGS_PATH": str(settings_file)}


def render_with_cli(
    repo: Path, destination: Path, data: Mapping[str, str], settings_file: Path
) -> subprocess.CompletedProcess[str]:
    """Run plain `copier copy --defaults --data k=v ... <repo> <destination>` as a user would."""
    data_args = [arg for key, value in data.items() for arg in ("--data", f"{key}={value}")]
    args = ["copy", "--defaults", *data_args, str(repo), str(destination)]
    return subprocess.run(
        [sys.executable, "-m", "copier", *args],
        env=copier_cli_env(settings_file),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def project_files(project: Path) -> Iterator[Path]:
    """Every file Copier rendered into `project` (tool caches and virtualenvs left out)."""
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project)
        if any(part in TOOL_DIRS for part in relative.parts):
            continue
        if path.is_file():
            yield path


def tree_snapshot(project: Path) -> dict[str, bytes]:
    """Map each rendered file's relative path to its bytes."""
    files = project_files(project)
    return {path.relative_to(project).as_posix(): path.read_bytes() for path in files}


class RenderedProjects:
    """Projects rendered once per session, shared read-only by every test and xdist worker."""

    def __init__(self, repo: Path, cache: BuildOnce) -> None:
        self.repo = repo
        self.cache = cache

    def get(self, combination: Combination) -> Path:
        """The project rendered for `combination` (rendered on first use)."""
        return self.cache.get(
            combination.id, lambda target: render_with_api(self.repo, target, combination.data)
        )
