"""Build hook: the wheel carries the template releases, so installed tqgen updates offline.

Generated projects record a release tag (`_commit: v0.2.0`) and the repository URL. `tqgen
update` renders the project's release and the installed one from git, which would need that
repository. The wheel therefore carries a git bundle of every release tag
(`tqgen/_template/releases.bundle`), built here from the checkout the wheel is built in. A build
whose own version has no tag yet (a release being cut, a fresh clone without tags) gets one in
the bundle: a commit of the templates exactly as this wheel packages them, tagged `v<version>`.
A build without git history (from an sdist) carries no bundle; its projects update from the
recorded URL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from packaging.version import InvalidVersion, Version

BUNDLE = "tqgen/_template/releases.bundle"
# What the templates are: the only paths a release commit made here holds from the checkout.
TEMPLATE_PATHS = ("copier.yml", "templates")


def _git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def _release_tags(repo: Path) -> list[str]:
    """The repository's tags that name a release: `v` and a PEP 440 version."""
    releases = []
    for tag in _git("tag", "--list", "v*", cwd=repo).split():
        try:
            Version(tag)
        except InvalidVersion:
            continue
        releases.append(tag)
    return releases


def _tag_this_build(root: Path, clone: Path, tag: str) -> None:
    """Tag, in `clone`, the templates as this wheel packages them: HEAD, or a commit of the
    checkout's uncommitted template changes on top of it."""
    for name in TEMPLATE_PATHS:
        target = clone / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        source = root / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    # The commit's identity and date are the checkout's: the same checkout bundles the same way.
    stamp = _git("log", "-1", "--format=%aI", cwd=clone)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "tqgen build",
        "GIT_AUTHOR_EMAIL": "build@tqgen.invalid",
        "GIT_COMMITTER_NAME": "tqgen build",
        "GIT_COMMITTER_EMAIL": "build@tqgen.invalid",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
    }
    if _git("status", "--porcelain", "--", *TEMPLATE_PATHS, cwd=clone):
        _git("add", "--all", "--", *TEMPLATE_PATHS, cwd=clone)
        message = f"tqgen {tag[1:]}: the templates as built"
        _git("-c", "commit.gpgsign=false", "commit", "--quiet", "-m", message, cwd=clone, env=env)
    _git("-c", "tag.gpgsign=false", "tag", tag, cwd=clone, env=env)


def build_bundle(root: Path, version: str, work: Path) -> Path | None:
    """A bundle of the checkout's release tags up to `v<version>`, that one included."""
    try:
        if _git("rev-parse", "--show-toplevel", cwd=root) != str(root.resolve()):
            return None  # not a checkout of its own (an sdist unpacked inside another repo)
    except (OSError, subprocess.CalledProcessError):
        return None
    clone = work / "clone"
    _git("clone", "--quiet", "--no-local", "--", str(root), str(clone), cwd=work)
    tag = f"v{version}"
    if tag not in _release_tags(clone):
        _tag_this_build(root, clone, tag)
    bundle = work / "releases.bundle"
    # The releases up to this one: a wheel of an older release is built from a checkout that
    # may know newer tags, which that release cannot update to.
    refs = [
        f"refs/tags/{name}" for name in _release_tags(clone) if Version(name) <= Version(version)
    ]
    _git("bundle", "create", "--quiet", str(bundle), *refs, cwd=clone)
    return bundle


class ReleaseBundleHook(BuildHookInterface[Any]):
    """Adds `releases.bundle` to the wheel (not to editable installs, which use the checkout)."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Build the bundle in a temporary directory and have the wheel include it."""
        if self.target_name != "wheel" or version == "editable":
            return
        self._work = Path(tempfile.mkdtemp(prefix="tqgen-bundle-"))
        bundle = build_bundle(Path(self.root), self.metadata.version, self._work)
        if bundle is not None:
            build_data["force_include"][str(bundle)] = BUNDLE

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the temporary bundle once the wheel holds it."""
        work = getattr(self, "_work", None)
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
