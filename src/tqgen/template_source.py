"""Where the templates (copier.yml + templates/) are, and what a project records about them."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tqgen.errors import TemplateError

# Points tqgen at another template repository (a local path), e.g. a checkout under test.
TEMPLATE_ENV = "TQGEN_TEMPLATE"
# What Copier reads from a template repository; nothing else is rendered or copied.
TEMPLATE_PATHS = ("copier.yml", "templates")


@dataclass(frozen=True)
class TemplateSource:
    """The templates to render, and where a generated project finds them again.

    Attributes:
        local_dir: The directory holding copier.yml and templates/.
        src_path: Recorded as `_src_path`: where `copier update` fetches the template from.
        commit: Recorded as `_commit`: the git reference of the version being rendered.
    """

    local_dir: Path
    src_path: str
    commit: str


def copy_templates(template_dir: Path, into: Path) -> Path:
    """Copy what Copier reads (copier.yml and templates/) from template_dir into into."""
    # Tool caches left in a checkout's templates/ must not end up in generated projects.
    ignore = shutil.ignore_patterns("__pycache__", "*.py[co]", ".ruff_cache", ".pytest_cache")
    into.mkdir(parents=True, exist_ok=True)
    for name in TEMPLATE_PATHS:
        source = template_dir / name
        if source.is_dir():
            shutil.copytree(source, into / name, ignore=ignore)
        else:
            shutil.copy2(source, into / name)
    return into


def _git_describe(path: Path) -> str | None:
    """What Copier records as `_commit` for a git template: `git describe --tags --always`."""
    if not (path / ".git").exists():
        return None
    try:
        result = subprocess.run(
            ["git", "describe", "--tags", "--always"],
            cwd=path,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip() or None


def _from_path(path: Path) -> TemplateSource:
    from tqgen import versioning  # importlib.metadata: not for `tqgen --help`

    path = path.resolve()
    if not (path / "copier.yml").is_file():
        raise TemplateError(f"no copier.yml in {path}: not a tqgen template repository")
    if commit := _git_describe(path):
        # A git checkout (development, tests): later updates come from the checkout itself.
        return TemplateSource(path, str(path), commit)
    # A plain folder, such as the copy inside the wheel: it is the tagged release of this version.
    return TemplateSource(path, versioning.template_url(), versioning.release_tag())


def template_dir() -> Path:
    """Where the templates are: $TQGEN_TEMPLATE, the copy inside the wheel, or the checkout."""
    if override := os.environ.get(TEMPLATE_ENV):
        return Path(override)
    packaged = Path(__file__).parent / "_template"
    if (packaged / "copier.yml").is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "copier.yml").is_file():
        return checkout
    raise TemplateError(
        f"the tqgen templates are missing from this installation; set {TEMPLATE_ENV} to a "
        "checkout of the tqgen repository or reinstall tqgen"
    )


def find_template() -> TemplateSource:
    """The templates, and what a project rendered from them records (see `template_dir`)."""
    return _from_path(template_dir())
