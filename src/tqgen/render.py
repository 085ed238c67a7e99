"""Render a project with Copier's Python API, all or nothing.

The project is rendered (and committed) in a hidden directory beside the target and moved into
place only when everything succeeded. An existing empty target on another filesystem than its
parent (a mount point: a Docker volume, a tmpfs) cannot receive a rename from beside it, so
there the project is rendered straight into the target, which is emptied again on failure.
Whatever stops the work (an error, Ctrl-C, SIGTERM, SIGHUP), every scratch directory goes.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tqgen import git, interrupts, scratch, versioning
from tqgen.copier_copy import copy_folder
from tqgen.copier_errors import classify
from tqgen.errors import AbortedError, FilesystemError, TargetNotEmptyError, TqgenError
from tqgen.template_source import TemplateSource, copy_templates


def check_target(target: Path) -> None:
    """Refuse a target that would lose or mix with a user's files, before anything is written."""
    try:
        if not target.parent.exists():
            raise TargetNotEmptyError(f"output directory {target.parent} does not exist")
        if not target.parent.is_dir():
            raise TargetNotEmptyError(f"output directory {target.parent} is not a directory")
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            raise TargetNotEmptyError(f"{target} exists and is not a directory")
        if target.is_dir() and _has_entries(target):
            raise TargetNotEmptyError(
                f"{target} exists and is not empty; choose another name or --output-dir"
            )
        # The directory that receives the project: checked now, before any question is asked.
        _require_writable(target if target.is_dir() else target.parent)
    except OSError as error:
        raise _filesystem_error(error, target) from None


def _require_writable(directory: Path) -> None:
    if os.access(directory, os.W_OK | os.X_OK):
        return
    read_only = os.statvfs(directory).f_flag & os.ST_RDONLY
    reason = "Read-only file system" if read_only else "Permission denied"
    raise FilesystemError(
        f"cannot write {directory.absolute()}: {reason}; "
        "choose a directory you can write to with --output-dir"
    )


def _has_entries(directory: Path) -> bool:
    with os.scandir(directory) as entries:
        return next(entries, None) is not None


def _fills_in_place(target: Path) -> bool:
    """Whether to render straight into target rather than beside it.

    Only an existing empty directory qualifies, and only when a hidden sibling could not be
    renamed into it: the target is on another filesystem, or its parent is not writable.
    """
    if not target.is_dir():
        return False
    on_other_device = target.stat().st_dev != target.parent.stat().st_dev
    return on_other_device or not os.access(target.parent, os.W_OK | os.X_OK)


def render(
    source: TemplateSource,
    answers: Mapping[str, Any],
    target: Path,
    *,
    init_git: bool = True,
    commit_message: str = "Generate project with tqgen",
) -> Path:
    """Render the template into target, which must be missing or empty.

    Raises:
        TqgenError: A failure, each with its exit code; target is as it was before.
    """
    target = target.absolute()
    check_target(target)
    if init_git:
        git.require_git()
    output = target.parent / f".{target.name}.tqgen-{secrets.token_hex(4)}"
    undo = 0
    try:
        in_place = _fills_in_place(target)
        # Each clean-up is registered before what it undoes exists (see scratch).
        if in_place:
            output = target
            undo = scratch.on_stop(lambda: _empty(target))  # it was empty before
        else:
            undo = scratch.on_stop(scratch.remove_tree(output))
            # mkdir (unlike mkdtemp) honours the umask: the project gets the usual permissions.
            output.mkdir()
        with scratch.temporary_directory("tqgen-template-") as snapshot:
            # Copier renders a snapshot of the templates only: cloning a checkout would drag in
            # its uncommitted files, nested repositories (a project generated inside it) and all.
            copy_folder(copy_templates(source.local_dir, snapshot / "template"), output, answers)
        versioning.record_source(output, source.src_path, source.commit)
        if init_git:
            git.init_and_commit(output, commit_message)
        interrupts.past_undoing()  # past this point the project is the user's
        if not in_place:
            _move_into_place(output, target)
        scratch.cancel(undo)
    except KeyboardInterrupt:
        raise AbortedError("interrupted; nothing was written") from None
    except TqgenError:
        raise
    except OSError as error:
        raise _filesystem_error(error, target, output) from None
    except Exception as error:
        known = classify(error, "cannot render the template")
        if known is None:  # a defect in tqgen or Copier: shown with its traceback
            raise
        raise known from None
    finally:
        interrupts.ignore_from_now()  # the clean-up must not be cut short
        scratch.done(undo)  # nothing left to do when the project was moved into place
    return target


def _move_into_place(staging: Path, target: Path) -> None:
    """Rename staging to target, atomically: rename replaces only a missing or empty directory.

    If anything appeared in target meanwhile (another tqgen, the user), the rename fails and
    nothing of theirs is touched.
    """
    if target.is_dir():
        # An empty directory the user made: the project takes over its permissions.
        staging.chmod(stat.S_IMODE(target.stat().st_mode))
    try:
        staging.rename(target)
    except OSError as error:
        if error.errno in {errno.ENOTEMPTY, errno.EEXIST}:
            raise TargetNotEmptyError(
                f"{target} was filled by someone else while tqgen was rendering; nothing was "
                "written"
            ) from None
        raise


def _empty(directory: Path) -> None:
    """Remove what tqgen put into directory, which was empty (or missing) before it started."""
    try:
        children = list(directory.iterdir())
    except OSError:
        return
    for child in children:
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _filesystem_error(error: OSError, target: Path, staging: Path | None = None) -> FilesystemError:
    """One line naming the path the user knows (never the hidden staging one) and what to do."""
    path = Path(error.filename) if error.filename else target
    if staging is not None and staging != target and path.is_relative_to(staging):
        path = target / path.relative_to(staging)
    reason = error.strerror or type(error).__name__
    temporary = scratch.temp_root()
    if path.is_relative_to(temporary) and not target.is_relative_to(temporary):
        advice = "set TMPDIR to a directory with room that you can write to"
    elif error.errno in {errno.ENOSPC, errno.EDQUOT}:
        advice = "free some space or choose another --output-dir"
    else:
        advice = "choose a directory you can write to with --output-dir"
    return FilesystemError(f"cannot write {path}: {reason}; {advice}")
