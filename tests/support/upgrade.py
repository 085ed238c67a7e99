"""Two template releases and a user's project between them, for the upgrade tests.

`make_releases` turns the session's template repository into a repository with an older and a
newer release tag; the helpers below generate a project from the older one with the CLI, edit
it as a user would and look at what an update kept.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version
from typer.testing import CliRunner

from support.combinations import Combination, by_framework, supported_combinations
from support.frameworks import adapter_for
from support.frameworks.base import project_answers
from support.gitrepo import TEMPLATE_TAG, git, git_save
from tqgen import __version__
from tqgen.cli import app

OLD_TAG = f"v{__version__}"
NEW_TAG = (
    f"v{Version(__version__).major}.{Version(__version__).minor}.{Version(__version__).micro + 1}"
)
# What the newer release changes; the user edits the README title too, so that line conflicts.
NEW_README_TITLE = "# {{ project_name }}: background tasks"
NEW_FILE = "UPGRADING.md"
# A new function at the end of the module that defines the tasks (or jobs): merges cleanly with
# the newer release.
USER_TASK = '\n\ndef user_added_helper() -> str:\n    """Added by the user."""\n    return "mine"\n'
USER_DESCRIPTION = 'description = "Edited by the user"'
USER_TITLE = "# demo (edited by the user)"

runner = CliRunner()


@dataclass(frozen=True)
class Releases:
    """The template repository (two tags) and a plain copy of the older release.

    Attributes:
        repo: A git repository tagged OLD_TAG and NEW_TAG.
        installed_copy: The older release as a plain folder, as the wheel carries it.
    """

    repo: Path
    installed_copy: Path


def template_frameworks(template_root: Path) -> list[str]:
    """The framework directories under templates/ (`_shared` and such left out)."""
    return sorted(
        path.name
        for path in (template_root / "templates").iterdir()
        if path.is_dir() and not path.name.startswith("_")
    )


def readme_templates(repo: Path) -> list[Path]:
    """The README templates that hold the title line (`# ...`): a framework's own, or the shared
    one its README includes."""
    found = [
        path
        for path in sorted((repo / "templates").glob("*/README.md.jinja"))
        if any(line.startswith("# ") for line in path.read_text(encoding="utf-8").splitlines())
    ]
    if not found:
        raise LookupError(f"no README template under {repo / 'templates'} has a title line")
    return found


def make_newer_release(repo: Path) -> None:
    """A realistic template change: a new question with a default, a new file, a changed line."""
    with (repo / "copier.yml").open("a", encoding="utf-8") as config:
        config.write(
            "\nupgrade_notes:\n  type: bool\n  help: Ship upgrade notes\n  default: true\n"
        )
    for readme in readme_templates(repo):
        lines = readme.read_text(encoding="utf-8").splitlines(keepends=True)
        title = next(i for i, line in enumerate(lines) if line.startswith("# "))
        lines[title] = NEW_README_TITLE + "\n"
        readme.write_text("".join(lines), encoding="utf-8")
    for framework in template_frameworks(repo):
        root = repo / "templates" / framework
        (root / f"{{% if upgrade_notes %}}{NEW_FILE}{{% endif %}}.jinja").write_text(
            "# Upgrading {{ project_name }}\n\nRun `tqgen update` or `copier update`.\n",
            encoding="utf-8",
        )


def make_releases(template_repo: Path, root: Path) -> Releases:
    """Copy the session's template repository to `root` and tag an older and a newer release."""
    repo = root / "template-releases"
    shutil.copytree(template_repo, repo, symlinks=True)
    # Release tags only: the snapshot's own tag would name the same commit.
    git(repo, "tag", "--delete", TEMPLATE_TAG)
    git(repo, "tag", OLD_TAG)
    # The wheel's copy of the older release: the same files, no history.
    installed_copy = root / "installed" / "_template"
    shutil.copytree(repo, installed_copy, ignore=shutil.ignore_patterns(".git"))
    make_newer_release(repo)
    git_save(repo, "newer release", tag=NEW_TAG)
    return Releases(repo=repo, installed_copy=installed_copy)


def offered_frameworks() -> list[str]:
    """The frameworks copier.yml offers, in its order: the update tests run each of them."""
    return list(by_framework(supported_combinations()))


def updated_suite_cases() -> list[Combination]:
    """One combination per framework whose suite runs after an update, with a web app each.

    The web choices take turns (Django first, its project has the most files), so that the
    frameworks together cover different ones; the broker is the framework's first. A framework
    without a web choice (Airflow serves its own) runs its first combination.
    """
    cases = []
    for turn, combinations in enumerate(by_framework(supported_combinations()).values()):
        webs = list(dict.fromkeys(c.web for c in combinations if c.web != "none"))
        web = webs[turn % len(webs)] if webs else combinations[0].web
        cases.append(next(c for c in combinations if c.web == web))
    return cases


def generate(*extra: str, framework: str | None = None) -> Path:
    """`tqgen new demo --defaults` (for `framework`, if given) here; the project's path."""
    chosen = [] if framework is None else ["--framework", framework]
    result = runner.invoke(app, ["new", "demo", "--defaults", *chosen, *extra])
    assert result.exit_code == 0, result.output
    return Path("demo").absolute()


def definitions_module(project: Path) -> Path:
    """The generated module that defines the project's tasks (or jobs), as its adapter says."""
    return adapter_for(str(project_answers(project)["framework"])).definitions_module(project)


def edit_like_a_user(project: Path, *, touch_readme_title: bool = True) -> None:
    """A new task, a changed setting and (optionally) an edited README title; committed."""
    definitions = definitions_module(project)
    definitions.write_text(definitions.read_text() + USER_TASK)
    pyproject = project / "pyproject.toml"
    lines = [
        USER_DESCRIPTION if line.startswith("description = ") else line
        for line in pyproject.read_text().splitlines()
    ]
    pyproject.write_text("\n".join(lines) + "\n")
    if touch_readme_title:
        readme = project / "README.md"
        rest = readme.read_text().splitlines(keepends=True)[1:]
        readme.write_text(USER_TITLE + "\n" + "".join(rest))
    git(project, "commit", "--quiet", "--all", "--message", "user edits")


def assert_user_edits_kept(project: Path) -> None:
    """The user's new task and changed description survived the update."""
    assert definitions_module(project).read_text().endswith(USER_TASK)
    assert USER_DESCRIPTION in (project / "pyproject.toml").read_text().splitlines()


def snapshot(project: Path) -> dict[str, bytes]:
    """Every file of the project outside .git, by relative path."""
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }


def plain_copier_update(
    project: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `copier update --defaults` in project, as a user without tqgen would."""
    return subprocess.run(
        [sys.executable, "-m", "copier", "update", "--defaults", "--quiet"],
        cwd=project,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
