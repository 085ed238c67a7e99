"""Build a tagged template repository, in the spirit of copier's tests/helpers.py `git_save`."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from tqgen.template_source import copy_templates

TEMPLATE_TAG = "v0.0.0"


def isolated_git_env() -> dict[str, str]:
    """Environment variables that keep git away from the user's and the system's config."""
    return {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "tqgen tests",
        "GIT_AUTHOR_EMAIL": "tests@tqgen.invalid",
        "GIT_COMMITTER_NAME": "tqgen tests",
        "GIT_COMMITTER_EMAIL": "tests@tqgen.invalid",
        "GIT_TERMINAL_PROMPT": "0",
    }


def git(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    """Run git in `cwd` with the isolated config and return its stdout."""
    completed = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **isolated_git_env(), **(env or {})},
        check=True,
        capture_output=True,
        text=True,
    )
    return completed.stdout


def git_save(repo: Path, message: str, tag: str | None = None) -> None:
    """Initialise `repo` if needed, commit everything in it and optionally tag the commit."""
    if not (repo / ".git").exists():
        git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--no-verify", "--message", message)
    if tag:
        git(repo, "tag", tag)


def build_template_repo(source_root: Path, destination: Path) -> Path:
    """Copy copier.yml and templates/ from `source_root` into a fresh git repo, tagged.

    The working tree is copied (not the last commit), so uncommitted template work is tested.
    """
    copy_templates(source_root, destination)
    git_save(destination, "Template snapshot under test", tag=TEMPLATE_TAG)
    return destination
