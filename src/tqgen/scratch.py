"""What tqgen must remove if it stops: scratch directories, and an empty target it began to fill.

A stop signal raises KeyboardInterrupt wherever Python happens to be, also inside the `finally`
that was about to clean up. So every clean-up is registered here before the thing it undoes is
created, runs (and is forgotten) where the work ends, and whatever a signal kept from running is
run by the console script on its way out (`run_pending`), when signals are already ignored.

Copier clones templates into temporary directories of its own; while it runs, Python's
`tempfile` points at a directory of tqgen's, so a clone Copier could not remove goes with it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

_pending: dict[int, Callable[[], None]] = {}


def on_stop(cleanup: Callable[[], None]) -> int:
    """Register cleanup to run unless cancelled; returns its key for `done` and `cancel`."""
    key = max(_pending, default=0) + 1
    _pending[key] = cleanup
    return key


def cancel(key: int) -> None:
    """The work succeeded: forget the clean-up registered under key."""
    _pending.pop(key, None)


def done(key: int) -> None:
    """The work stopped: run the clean-up registered under key (once), then forget it."""
    cleanup = _pending.get(key)
    if cleanup is not None:
        cleanup()
        _pending.pop(key, None)


def run_pending() -> None:
    """Run every clean-up a signal kept from running, newest first."""
    for key in sorted(_pending, reverse=True):
        done(key)


def remove_tree(path: Path) -> Callable[[], None]:
    """A clean-up that removes path and everything in it, if it exists."""
    return lambda: shutil.rmtree(path, ignore_errors=True)


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
    key = on_stop(remove_tree(path))
    previous = tempfile.tempdir
    try:
        path.mkdir(mode=0o700)
        tempfile.tempdir = str(path)
        yield path
    finally:
        tempfile.tempdir = previous
        done(key)
