"""A build-once cache shared by every pytest-xdist worker of one session."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def xdist_worker() -> str:
    """The xdist worker id (`gw0`, ...) or `main` without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def xdist_worker_index() -> int:
    """The number of this xdist worker (0 without xdist)."""
    worker = xdist_worker()
    return int(worker.removeprefix("gw")) if worker.startswith("gw") else 0


def session_root(factory: pytest.TempPathFactory) -> Path:
    """A directory shared by all workers of this session (the basetemp of the controller)."""
    base = factory.getbasetemp()
    root = (base.parent if xdist_worker() != "main" else base) / "tqgen-shared"
    root.mkdir(parents=True, exist_ok=True)
    return root


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on `path` (created if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class BuildOnce:
    """Directories built once per session under a shared root, whichever worker asks first.

    A build that raises leaves no directory behind, so the next caller tries again and sees the
    same error instead of a half-built tree.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def get(self, key: str, build: Callable[[Path], object]) -> Path:
        """Return `root/key`, calling `build(path)` first if no worker has built it yet."""
        target = self.root / key
        done = self.root / f"{key}.done"
        with file_lock(self.root / f"{key}.lock"):
            if not done.exists():
                shutil.rmtree(target, ignore_errors=True)
                try:
                    build(target)
                except BaseException:
                    shutil.rmtree(target, ignore_errors=True)
                    raise
                done.touch()
        return target
