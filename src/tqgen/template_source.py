"""Where the template repository (copier.yml + templates/) is found."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tqgen.errors import TemplateError

# Points tqgen at another template repository (a local path), e.g. a checkout under test.
TEMPLATE_ENV = "TQGEN_TEMPLATE"


@dataclass(frozen=True)
class TemplateSource:
    """A template repository and the git reference to render from.

    Attributes:
        location: An absolute path; Copier records it verbatim in the answers file.
        vcs_ref: The git reference; None lets Copier pick the latest release tag.
        local_dir: A local directory holding the same copier.yml, for reading the questions.
    """

    location: str
    vcs_ref: str | None
    local_dir: Path

    @property
    def is_git(self) -> bool:
        """Whether Copier renders from git history.

        A plain folder (the copy inside the wheel) records no version; tqgen then records the
        release's repository and tag itself.
        """
        return _is_git_root(self.local_dir)


def _is_git_root(path: Path) -> bool:
    return (path / ".git").exists()


def _from_path(path: Path) -> TemplateSource:
    path = path.resolve()
    if not (path / "copier.yml").is_file():
        raise TemplateError(f"no copier.yml in {path}: not a tqgen template repository")
    # A git checkout renders its HEAD (the code at hand), not its latest release tag.
    return TemplateSource(str(path), "HEAD" if _is_git_root(path) else None, path)


def find_template() -> TemplateSource:
    """Locate the templates: $TQGEN_TEMPLATE, the copy inside the wheel, or the source checkout."""
    if override := os.environ.get(TEMPLATE_ENV):
        return _from_path(Path(override))
    packaged = Path(__file__).parent / "_template"
    if (packaged / "copier.yml").is_file():
        return _from_path(packaged)
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "copier.yml").is_file():
        return _from_path(checkout)
    raise TemplateError(
        f"the tqgen templates are missing from this installation; set {TEMPLATE_ENV} to a "
        "checkout of the tqgen repository or reinstall tqgen"
    )
