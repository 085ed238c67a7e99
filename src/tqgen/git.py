"""The git steps after rendering: a repository with one commit, as `copier update` requires."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tqgen.errors import GitError, ToolMissingError
from tqgen.interrupts import killed_by_signal, stopped

# Used only when the user has no git identity configured, so the first commit still succeeds.
_FALLBACK_IDENTITY = ("-c", "user.name=tqgen", "-c", "user.email=tqgen@localhost")


def require_git(hint: str = "install it or pass --no-git") -> str:
    """Return the git executable, or raise (with hint, what to do) before anything is written."""
    git = shutil.which("git")
    if git is None:
        raise ToolMissingError(f"git is not installed; {hint}")
    return git


def _has_identity(git: str, cwd: Path) -> bool:
    result = subprocess.run(
        [git, "config", "user.email"], cwd=cwd, capture_output=True, text=True, check=False
    )
    return bool(result.stdout.strip())


def init_and_commit(project: Path, message: str) -> None:
    """Create a git repository in project and commit every file in it.

    Raises:
        GitError: A git step failed; the caller removes the project, so nothing is written.
        KeyboardInterrupt: git was stopped by a signal sent to the whole process group.
    """
    git = require_git()
    identity = () if _has_identity(git, project) else _FALLBACK_IDENTITY
    steps = {
        "init": [git, "init", "--quiet", "--initial-branch=main"],
        "add": [git, "add", "--all"],
        "commit": [git, *identity, "commit", "--quiet", "--no-verify", "--message", message],
    }
    for name, command in steps.items():
        result = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
        # A stop signal to the whole group reaches git too; git may die of it or exit with
        # an error of its own (130, a lock it could not take): either way, the stop.
        if killed_by_signal(result.returncode) or (result.returncode != 0 and stopped()):
            raise KeyboardInterrupt
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            reason = detail[-1] if detail else f"exit code {result.returncode}"
            raise GitError(
                f"git {name} failed: {reason}; nothing was written "
                "(fix git, for example commit signing, or pass --no-git)"
            )
