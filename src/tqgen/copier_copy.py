"""Copier's copy of a plain template folder, without the git probes that folder cannot need.

For every file it writes, Copier runs `git config core.fileMode` in the destination (to mirror
executable bits into a git index), and for the template it runs `git rev-parse` and a
`git bundle verify` in a scratch repository (to find out whether it is versioned). tqgen renders
a plain snapshot of the templates into a fresh directory whose files no git index tracks yet,
so every probe finds nothing: about 25 git processes, a seventh of `tqgen new`. They are skipped by
telling Copier, for the length of the call, that git is not installed. The output is the same
byte for byte (the render tier compares it with plain `copier copy`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Copier's modules that ask `is_git_available()` (copier 9.19; tqgen pins copier<10).
_PROBING_MODULES = ("copier._main", "copier._template")


@contextmanager
def _git_probes_skipped() -> Iterator[None]:
    import importlib

    modules = [importlib.import_module(name) for name in _PROBING_MODULES]
    # A Copier release without the function keeps its probes: slower, never wrong.
    patched = [module for module in modules if hasattr(module, "is_git_available")]
    originals = [getattr(module, "is_git_available") for module in patched]  # noqa: B009
    for module in patched:
        setattr(module, "is_git_available", _git_is_absent)  # noqa: B010
    try:
        yield
    finally:
        for module, original in zip(patched, originals, strict=True):
            setattr(module, "is_git_available", original)  # noqa: B010


def _git_is_absent() -> bool:
    return False


def copy_folder(template: Path, destination: Path, answers: Mapping[str, Any]) -> None:
    """Render the plain template folder into destination with these (complete) answers."""
    import copier

    with _git_probes_skipped():
        copier.run_copy(
            str(template),
            destination,
            data=dict(answers),
            defaults=True,
            quiet=True,
            # The user's Copier settings must not change what tqgen generates.
            settings=copier.Settings(),
        )
