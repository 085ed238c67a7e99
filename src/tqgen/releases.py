"""The template releases an installed tqgen carries, and updating from them without a network.

The wheel holds `releases.bundle`, a git bundle of every release tag (hatch_build.py makes it).
When it holds the release a project was rendered from, `tqgen update` reads the templates from
the bundle instead of the repository the project records: git is told, for this process only,
that the recorded URL is the bundle (`url.<bundle>.insteadOf`). The project's `_src_path` stays
what it was, so plain `copier update` keeps working wherever the repository is reachable.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from packaging.version import InvalidVersion, Version

from tqgen import scratch

BUNDLE = Path(__file__).parent / "_template" / "releases.bundle"
# Where Copier keeps its mirrors of remote templates (copier._vcs.CACHE_DIR_ENV_VAR).
COPIER_CACHE_DIR = "COPIER_CACHE_DIR"


def bundled_releases() -> dict[Version, str]:
    """The releases in the installed bundle, each version with its tag; empty without one."""
    if not BUNDLE.is_file():
        return {}
    try:
        listed = subprocess.run(
            ["git", "bundle", "list-heads", str(BUNDLE)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    releases = {}
    for line in listed.splitlines():
        tag = line.rpartition("refs/tags/")[2]
        try:
            releases[Version(tag)] = tag
        except InvalidVersion:
            continue
    return releases


def carries(recorded: str, wanted: str | None) -> bool:
    """Whether the installed bundle holds the release `recorded`, and `wanted` if given."""
    releases = bundled_releases()
    try:
        needed = [Version(recorded)] + ([Version(wanted)] if wanted else [])
    except InvalidVersion:
        return False
    return all(version in releases for version in needed)


def _url_forms(src_path: str) -> list[str]:
    """The URL as the project records it, and as Copier hands it to git."""
    from copier._vcs import get_repo  # private in copier 9; tqgen pins copier<10

    return sorted({src_path, get_repo(src_path) or src_path})


@contextmanager
def from_bundle(src_path: str) -> Iterator[None]:
    """Within the block, git fetches `src_path` from the installed bundle.

    Copier keeps a mirror of every remote template in its cache and refreshes it with
    `--prune`: a mirror refreshed from the bundle would lose the repository's newer tags, so
    Copier gets a cache directory of its own for the block.
    """
    from plumbum import local  # Copier runs git through plumbum, whose environment is its own

    forms = _url_forms(src_path)
    config = {"GIT_CONFIG_COUNT": str(len(forms))}
    for index, url in enumerate(forms):
        config[f"GIT_CONFIG_KEY_{index}"] = f"url.{BUNDLE}.insteadOf"
        config[f"GIT_CONFIG_VALUE_{index}"] = url
    with (
        scratch.temporary_directory("tqgen-releases-") as cache,
        _copier_cache_dir(cache),
        local.env(**config),
    ):
        yield


@contextmanager
def _copier_cache_dir(cache: Path) -> Iterator[None]:
    """Within the block, Copier keeps its mirrors in `cache`.

    Copier reads COPIER_CACHE_DIR from `os.environ` (plumbum's environment, where git's
    settings go, is a copy of it made at import).
    """
    previous = os.environ.get(COPIER_CACHE_DIR)
    os.environ[COPIER_CACHE_DIR] = str(cache)
    try:
        yield
    finally:
        if previous is None:
            del os.environ[COPIER_CACHE_DIR]
        else:
            os.environ[COPIER_CACHE_DIR] = previous
