"""Render a project with Copier's Python API, all or nothing."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tqgen import git, versioning
from tqgen.copier_copy import copy_folder
from tqgen.copier_errors import classify
from tqgen.errors import AbortedError, TargetNotEmptyError, TqgenError
from tqgen.template_source import TemplateSource, copy_templates


def check_target(target: Path) -> None:
    """Refuse a target that would lose or mix with a user's files, before anything is written."""
    if not target.parent.is_dir():
        raise TargetNotEmptyError(f"output directory {target.parent} does not exist")
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise TargetNotEmptyError(f"{target} exists and is not a directory")
    if target.is_dir() and _has_entries(target):
        raise TargetNotEmptyError(
            f"{target} exists and is not empty; choose another name or --output-dir"
        )


def _has_entries(directory: Path) -> bool:
    with os.scandir(directory) as entries:
        return next(entries, None) is not None


def render(
    source: TemplateSource,
    answers: Mapping[str, Any],
    target: Path,
    *,
    init_git: bool = True,
    commit_message: str = "Generate project with tqgen",
) -> Path:
    """Render the template into target, which must be missing or empty.

    The project is rendered into a hidden sibling directory and moved into place only when
    rendering (and git) succeeded, so an error or Ctrl-C never leaves a half-written project.
    """
    target = target.absolute()
    check_target(target)
    if init_git:
        git.require_git()
    # A hidden sibling on the same filesystem, so the final move is a rename. mkdir (unlike
    # mkdtemp) honours the umask, so the project gets the permissions the user expects.
    staging = target.parent / f".{target.name}.tqgen-{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        with tempfile.TemporaryDirectory(prefix="tqgen-template-") as snapshot:
            # Copier renders a snapshot of the templates only: cloning a checkout would drag in
            # its uncommitted files, nested repositories (a project generated inside it) and all.
            copy_folder(copy_templates(source.local_dir, Path(snapshot)), staging, answers)
        versioning.record_source(staging, source.src_path, source.commit)
        if init_git:
            git.init_and_commit(staging, commit_message)
        _move_into_place(staging, target)
    except KeyboardInterrupt:
        raise AbortedError("interrupted; nothing was written") from None
    except TqgenError:
        raise
    except Exception as error:
        known = classify(error, "cannot render the template")
        if known is None:  # a defect in tqgen or Copier: shown with its traceback
            raise
        raise known from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _move_into_place(staging: Path, target: Path) -> None:
    if target.is_dir():
        # An empty directory the user made: keep it (and its permissions), fill it.
        for child in staging.iterdir():
            child.rename(target / child.name)
    else:
        staging.rename(target)
