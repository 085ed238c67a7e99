"""Where `tqgen update` finds the releases, and every way that can fail, as one line and exit 2."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from support.gitrepo import git_save
from typer.testing import CliRunner

from tqgen import releases
from tqgen.cli import app
from tqgen.template_source import TEMPLATE_ENV

runner = CliRunner()
UNREACHABLE = "https://unreachable.invalid/tqgen/tqgen.git"


def git(path: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=path, capture_output=True, text=True, check=True
    ).stdout


def record(project: Path, **values: str) -> None:
    """Change what the project's answers file records, and commit it as the user would."""
    path = project / ".copier-answers.yml"
    answers = yaml.safe_load(path.read_text())
    answers.update(values)
    path.write_text(yaml.safe_dump(answers))
    git(project, "commit", "--quiet", "--all", "--message", "answers")


def one_line_exit_2(result: object) -> str:
    """The one stderr line of a refused command; asserts exit 2 and nothing on stdout."""
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, result.stderr  # type: ignore[attr-defined]
    assert result.stdout == "", result.stdout  # type: ignore[attr-defined]
    return lines[0]


@pytest.fixture
def template(make_template) -> Path:
    """The tiny template, released as v0.1.0 and v0.2.0."""
    repo = make_template({}, tag="v0.1.0")
    make_template({"templates/alpha/README.md.jinja": "# {{ project_name }}, v2\n"}, "v0.2.0", repo)
    return repo


@pytest.fixture
def project(template: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A project generated from release v0.1.0 of `template`, committed."""
    git(template, "checkout", "--quiet", "v0.1.0")
    monkeypatch.setenv(TEMPLATE_ENV, str(template))
    result = runner.invoke(app, ["new", "demo", "--defaults"])
    assert result.exit_code == 0, result.output
    git(template, "checkout", "--quiet", "main")
    return tmp_path / "demo"


@pytest.fixture
def bundle(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installed tqgen's bundle of the template's releases (as hatch_build.py makes it)."""
    path = tmp_path / "releases.bundle"
    git(template, "bundle", "create", "--quiet", str(path), "refs/tags/v0.1.0", "refs/tags/v0.2.0")
    monkeypatch.setattr(releases, "BUNDLE", path)
    return path


class TestFromTheInstalledReleases:
    """With the releases in the installed tqgen, the recorded repository is never needed."""

    def test_check_and_update_work_with_the_repository_unreachable(
        self, project: Path, bundle: Path
    ):
        """Both releases come from the bundle; `_src_path` still names the repository."""
        record(project, _src_path=UNREACHABLE)
        check = runner.invoke(app, ["update", str(project), "--check"])
        assert check.exit_code == 0, check.output
        assert "template 0.1.0 -> 0.2.0" in check.stdout
        result = runner.invoke(app, ["update", str(project)])
        assert result.exit_code == 0, result.output
        assert (project / "README.md").read_text() == "# demo, v2\n"
        answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
        assert (answers["_src_path"], answers["_commit"]) == (UNREACHABLE, "v0.2.0")

    def test_the_users_copier_cache_is_left_alone(
        self, project: Path, bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ):
        """Copier mirrors the bundle in a cache of the update's own, not the user's: a mirror
        of the repository's URL refreshed from the bundle would lose its newer tags (and
        updates running side by side would refresh one mirror from different bundles)."""
        user_cache = tmp_path / "user-cache"
        monkeypatch.setenv("XDG_CACHE_HOME", str(user_cache))
        monkeypatch.delenv("COPIER_CACHE_DIR", raising=False)
        record(project, _src_path=UNREACHABLE)
        result = runner.invoke(app, ["update", str(project)])
        assert result.exit_code == 0, result.output
        assert not user_cache.exists(), sorted(user_cache.rglob("*"))[:5]

    def test_to_a_bundled_release_needs_no_repository(self, project: Path, bundle: Path):
        """--to a release the bundle holds is read from it."""
        record(project, _src_path=UNREACHABLE)
        result = runner.invoke(app, ["update", str(project), "--to", "0.2.0"])
        assert result.exit_code == 0, result.output
        assert (project / "README.md").read_text() == "# demo, v2\n"

    def test_a_release_the_bundle_lacks_comes_from_the_repository(
        self, project: Path, template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ):
        """A bundle of v0.1.0 only: --to v0.2.0 is fetched from the recorded repository."""
        older = tmp_path / "older.bundle"
        git(template, "bundle", "create", "--quiet", str(older), "refs/tags/v0.1.0")
        monkeypatch.setattr(releases, "BUNDLE", older)
        result = runner.invoke(app, ["update", str(project), "--to", "v0.2.0"])
        assert result.exit_code == 0, result.output
        assert (project / "README.md").read_text() == "# demo, v2\n"

    def test_a_bundle_without_the_projects_release_is_not_used(self, project: Path, bundle: Path):
        """A project of a release the bundle lacks goes to its repository (here unreachable)."""
        record(project, _src_path=UNREACHABLE, _commit="v0.0.9")
        line = one_line_exit_2(runner.invoke(app, ["update", str(project), "--check"]))
        assert line.startswith(f"tqgen: error: cannot reach the project's template {UNREACHABLE}")


class TestCheckNeedsNoCleanTree:
    def test_uncommitted_changes_do_not_stop_a_check(self, project: Path):
        """--check changes nothing, so an edited or untracked file does not stop it."""
        (project / "README.md").write_text("edited\n")
        (project / "uv.lock").write_text("# the lock the next steps tell the user to commit\n")
        result = runner.invoke(app, ["update", str(project), "--check"])
        assert result.exit_code == 0, result.output
        assert "template 0.1.0 -> 0.2.0" in result.stdout

    def test_uncommitted_changes_stop_an_update(self, project: Path):
        """An update would mix its changes with the user's: refused."""
        (project / "README.md").write_text("edited\n")
        line = one_line_exit_2(runner.invoke(app, ["update", str(project)]))
        assert "uncommitted changes" in line


class TestOneLineFailures:
    """Whatever the answers file or the template repository hold: one line, exit 2."""

    @pytest.mark.parametrize("check", [[], ["--check"]])
    @pytest.mark.parametrize(
        ("commit", "says"),
        [
            pytest.param("v9.9.9", "records template release 'v9.9.9'", id="future-release"),
            pytest.param("v0.0.5", "records template release 'v0.0.5'", id="missing-release"),
            pytest.param("not a version!", "cannot read the project's template", id="garbage"),
            pytest.param("deadbeef1", "cannot read the project's template", id="unknown-hash"),
        ],
    )
    def test_a_release_the_template_does_not_have(
        self, project: Path, commit: str, says: str, check: list[str]
    ):
        """The recorded `_commit` is no revision of the template."""
        record(project, _commit=commit)
        line = one_line_exit_2(runner.invoke(app, ["update", str(project), *check]))
        assert says in line, line
        assert "Traceback" not in line

    def test_a_template_without_release_tags(
        self, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ):
        """A template repository with commits but no release tag: nothing to update from."""
        untagged = tmp_path / "untagged"
        untagged.mkdir()
        (untagged / "copier.yml").write_text("project_name: {type: str}\n")
        git_save(untagged, "no tags")
        record(project, _src_path=str(untagged))
        result = runner.invoke(app, ["update", str(project), "--check"])
        assert "has no release tags" in one_line_exit_2(result)

    def test_an_unreachable_template(self, project: Path):
        """The recorded repository does not answer (and no bundle carries the release)."""
        record(project, _src_path=UNREACHABLE)
        line = one_line_exit_2(runner.invoke(app, ["update", str(project), "--check"]))
        assert line.startswith(f"tqgen: error: cannot reach the project's template {UNREACHABLE}")

    def test_a_template_checkout_holding_an_untracked_repository(
        self, project: Path, template: Path
    ):
        """A project generated inside the template's checkout (a nested git repository there)
        does not disturb updates from its tags."""
        nested = template / "demo"
        nested.mkdir()
        (nested / "README.md").write_text("# demo\n")
        git_save(nested, "a project of its own")
        result = runner.invoke(app, ["update", str(project), "--check"])
        assert result.exit_code == 0, result.output
        assert "template 0.1.0 -> 0.2.0" in result.stdout
        assert result.stderr == ""
