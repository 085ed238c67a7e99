"""Temporary directories of tqgen's own, removed whatever stops the work.

Copier clones templates into temporary directories and removes them when it finishes, but a
signal at the wrong moment (between creating a clone and registering its removal) leaves one in
the user's temp directory. While Copier runs, tqgen points Python's `tempfile` at a directory of
its own and removes that directory afterwards, with whatever is inside.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def remove_tree(path: Path) -> None:
    """Remove path (if it exists); a stop signal is re-raised only once it is gone.

    The first stop signal makes tqgen ignore the next ones (see interrupts), so the second
    attempt runs to the end.
    """
    try:
        shutil.rmtree(path, ignore_errors=True)
    except KeyboardInterrupt:
        shutil.rmtree(path, ignore_errors=True)
        raise


def temp_root() -> Path:
    """The temp directory, found as `tempfile.gettempdir()` finds it but without its probe.

    gettempdir() proves a directory writable by creating and deleting a file in it; a signal
    in between leaves that file behind. Checking permissions instead leaves nothing.
    """
    if tempfile.tempdir is None:
        candidates = [os.environ.get(name) for name in ("TMPDIR", "TEMP", "TMP")]
        candidates += ["/tmp", "/var/tmp", "/usr/tmp", os.getcwd()]
        usable = (
            candidate
            for candidate in candidates
            if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK | os.X_OK)
        )
        tempfile.tempdir = os.path.abspath(next(usable, os.getcwd()))
    return Path(tempfile.tempdir)


@contextmanager
def temporary_directory(prefix: str) -> Iterator[Path]:
    """A new directory under the temp directory, which Python's `tempfile` uses meanwhile."""
    path = temp_root() / f"{prefix}{secrets.token_hex(4)}"
    previous = tempfile.tempdir
    try:
        path.mkdir(mode=0o700)
        tempfile.tempdir = str(path)
        yield path
    finally:
        tempfile.tempdir = previous
        remove_tree(path)
