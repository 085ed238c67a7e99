"""tqgen's own releases as wheels: a package repository tagged twice, each tag built and installed.

`package_releases` copies what a wheel is built from (pyproject.toml, the build hook, src/,
copier.yml, templates/) into a git repository of the test's own, tags it as the release of this
version, makes the newer release (a template change and a version bump) and tags that. Each
wheel is built from its tag, as a release is, so each carries the bundle of the releases up to
its own (hatch_build.py).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from support.gitrepo import git, git_save
from support.paths import REPO_ROOT
from support.upgrade import NEW_TAG, OLD_TAG, make_newer_release
from support.uvenv import uv_binary, uv_cache_dir

# What a wheel is built from.
PACKAGE_PATHS = ("pyproject.toml", "hatch_build.py", "README.md", "src", "copier.yml", "templates")


@dataclass(frozen=True)
class Wheels:
    """The wheels of an older and a newer tqgen release.

    Attributes:
        old: The wheel of OLD_TAG.
        new: The wheel of NEW_TAG, whose bundle holds both releases.
    """

    old: Path
    new: Path


def _uv_env() -> dict[str, str]:
    return {**os.environ, "UV_CACHE_DIR": str(uv_cache_dir()), "UV_PYTHON_DOWNLOADS": "never"}


def _build(repo: Path, tag: str, out: Path) -> Path:
    """Build the wheel of `tag`, from a checkout of it."""
    git(repo, "checkout", "--quiet", tag)
    subprocess.run(
        [uv_binary(), "build", "--wheel", "--out-dir", str(out), str(repo)],
        env=_uv_env(),
        capture_output=True,
        check=True,
    )
    return next(out.glob(f"tqgen-{tag.removeprefix('v')}-*.whl"))


def package_releases(root: Path) -> Wheels:
    """Tag this checkout's package as OLD_TAG and a newer one as NEW_TAG; build both wheels."""
    repo = root / "package"
    repo.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.py[co]", ".ruff_cache", ".pytest_cache")
    for name in PACKAGE_PATHS:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=ignore)
        else:
            shutil.copy2(source, repo / name)
    git_save(repo, f"release {OLD_TAG}", tag=OLD_TAG)
    make_newer_release(repo)
    pyproject = repo / "pyproject.toml"
    version = NEW_TAG.removeprefix("v")
    text = re.sub(r'^version = ".*"$', f'version = "{version}"', pyproject.read_text(), flags=re.M)
    pyproject.write_text(text)
    git_save(repo, f"release {NEW_TAG}", tag=NEW_TAG)
    out = root / "dist"
    return Wheels(old=_build(repo, OLD_TAG, out), new=_build(repo, NEW_TAG, out))


def install(wheel: Path, venv: Path) -> Path:
    """Install `wheel` into `venv` (created if need be, replacing any tqgen); its `tqgen`."""
    env = _uv_env()
    if not venv.exists():
        subprocess.run(
            [uv_binary(), "venv", "--quiet", "--python", sys.executable, str(venv)],
            env=env,
            check=True,
        )
    subprocess.run(
        [
            uv_binary(),
            "pip",
            "install",
            "--quiet",
            "--reinstall-package",
            "tqgen",
            "--python",
            str(venv / "bin" / "python"),
            str(wheel),
        ],
        env=env,
        check=True,
    )
    return venv / "bin" / "tqgen"
