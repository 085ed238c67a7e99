"""Updating generated projects to a newer template release, with plain Copier and tqgen update."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from support.gitrepo import git as run_git
from support.gitrepo import git_save
from support.upgrade import (
    NEW_FILE,
    NEW_TAG,
    OLD_TAG,
    USER_TITLE,
    Releases,
    assert_user_edits_kept,
    edit_like_a_user,
    generate,
    offered_frameworks,
    plain_copier_update,
    snapshot,
    template_frameworks,
)
from typer.testing import CliRunner

from tqgen.cli import app

runner = CliRunner()
# What an update does to a project is the same whatever its framework: each offered one is updated.
each_framework = pytest.mark.parametrize("framework", offered_frameworks())


@pytest.mark.usefixtures("installed_tqgen")
class TestRecordedSource:
    @each_framework
    def test_installed_cli_records_the_repository_and_release_tag(
        self, framework: str, releases: Releases
    ):
        """A project from the installed CLI names the template repository and its release tag."""
        project = generate(framework=framework)
        answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
        assert answers["_src_path"] == str(releases.repo)
        assert answers["_commit"] == OLD_TAG
        assert answers["framework"] == framework
        assert run_git(project, "status", "--porcelain") == ""


@pytest.mark.usefixtures("installed_tqgen")
class TestPlainCopierUpdate:
    @each_framework
    def test_plain_copier_update_merges_the_newer_release(self, framework: str):
        """Plain `copier update` keeps user edits, adds the new file and marks the overlap."""
        project = generate(framework=framework)
        edit_like_a_user(project)
        result = plain_copier_update(project)
        assert result.returncode == 0, result.stderr
        assert_user_edits_kept(project)
        assert (project / NEW_FILE).is_file()
        readme = (project / "README.md").read_text()
        assert "<<<<<<< before updating" in readme
        assert USER_TITLE in readme
        answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
        assert answers["_commit"] == NEW_TAG
        assert answers["upgrade_notes"] is True


@pytest.mark.usefixtures("installed_tqgen")
class TestTqgenUpdate:
    @each_framework
    def test_conflicts_are_reported_by_name_with_a_non_zero_exit(self, framework: str):
        """An overlapping edit makes `tqgen update` exit 6 and name the conflicted file."""
        project = generate(framework=framework)
        edit_like_a_user(project)
        result = runner.invoke(app, ["update", str(project)])
        assert result.exit_code == 6, result.output
        assert f"{OLD_TAG[1:]} -> {NEW_TAG[1:]}" in result.stdout
        error = result.stderr.strip().splitlines()
        assert len(error) == 1
        assert "conflicts in 1 file(s): README.md" in error[0]
        assert_user_edits_kept(project)
        assert (project / NEW_FILE).is_file()

    @each_framework
    def test_update_without_overlap_succeeds(self, framework: str):
        """Without overlapping edits the update applies cleanly and exits 0."""
        project = generate(framework=framework)
        edit_like_a_user(project, touch_readme_title=False)
        result = runner.invoke(app, ["update", str(project)])
        assert result.exit_code == 0, result.output
        assert "Updated" in result.stdout
        assert_user_edits_kept(project)
        assert (project / "README.md").read_text().startswith("# demo: background tasks\n")
        assert (project / NEW_FILE).is_file()

    @each_framework
    def test_check_reports_the_update_and_changes_nothing(self, framework: str):
        """--check names both versions and leaves the project untouched."""
        project = generate(framework=framework)
        before = snapshot(project)
        result = runner.invoke(app, ["update", "--check", str(project)])
        assert result.exit_code == 0, result.output
        assert f"{OLD_TAG[1:]} -> {NEW_TAG[1:]}" in result.stdout
        assert "update is available" in result.stdout
        assert snapshot(project) == before

    @each_framework
    def test_updated_project_is_up_to_date(self, framework: str):
        """After an update is committed, --check says the project is up to date."""
        project = generate(framework=framework)
        assert runner.invoke(app, ["update", str(project)]).exit_code == 0
        run_git(project, "add", "--all")
        run_git(project, "commit", "--quiet", "--message", "update")
        result = runner.invoke(app, ["update", "--check", str(project)])
        assert result.exit_code == 0, result.output
        assert "up to date" in result.stdout


@pytest.mark.usefixtures("installed_tqgen")
class TestFailedUpdate:
    @each_framework
    def test_a_release_that_fails_to_render_is_undone(
        self, framework: str, releases: Releases, tmp_path: Path
    ):
        """When the newer release cannot render, exit 3 and the project is as it was."""
        project = generate(framework=framework)
        edit_like_a_user(project)
        broken = tmp_path.parent / f"{tmp_path.name}-broken-release"
        shutil.copytree(releases.repo, broken)
        for framework in template_frameworks(broken):
            (broken / "templates" / framework / "broken.txt.jinja").write_text("{{ no_such }}\n")
        git_save(broken, "a broken release", tag="v99.0.0")
        answers_file = project / ".copier-answers.yml"
        answers_file.write_text(answers_file.read_text().replace(str(releases.repo), str(broken)))
        run_git(project, "commit", "--quiet", "--all", "--message", "point at the broken release")
        before = snapshot(project)
        result = runner.invoke(app, ["update", str(project)])
        assert result.exit_code == 3, result.output
        assert "the update failed and was undone" in result.stderr
        assert snapshot(project) == before
        assert run_git(project, "status", "--porcelain") == ""


def make_not_git(project: Path) -> list[str]:
    subprocess.run(["rm", "-rf", str(project / ".git")], check=True)
    return []


def make_dirty(project: Path) -> list[str]:
    (project / "README.md").write_text("local change\n")
    return []


def remove_answers(project: Path) -> list[str]:
    run_git(project, "rm", "--quiet", ".copier-answers.yml")
    run_git(project, "commit", "--quiet", "--message", "drop answers")
    return []


def foreign_answers(project: Path) -> list[str]:
    (project / ".copier-answers.yml").write_text(
        "_commit: v1.0.0\n_src_path: gh:someone/other-template\nauthor: me\n"
    )
    run_git(project, "commit", "--quiet", "--all", "--message", "other template")
    return []


def unreachable_source(project: Path) -> list[str]:
    answers = project / ".copier-answers.yml"
    lines = answers.read_text().splitlines()
    moved = ["_src_path: /nowhere/tqgen" if ln.startswith("_src_path:") else ln for ln in lines]
    answers.write_text("\n".join(moved) + "\n")
    run_git(project, "commit", "--quiet", "--all", "--message", "template moved away")
    return []


def downgrade(project: Path) -> list[str]:
    return ["--to", "v0.0.1"]


@pytest.mark.usefixtures("installed_tqgen")
class TestBadInput:
    @pytest.mark.parametrize(
        ("break_project", "message"),
        [
            (make_not_git, "not in a git repository"),
            (make_dirty, "uncommitted changes"),
            (remove_answers, "has no .copier-answers.yml"),
            (foreign_answers, "written by another template"),
            (unreachable_source, "cannot reach the project's template"),
            (downgrade, "downgrades are not supported"),
        ],
    )
    def test_one_line_exit_2_and_nothing_changed(self, break_project, message: str):
        """Each unusable project gives one error line, exit 2, and no file changes."""
        project = generate()
        extra = break_project(project)
        before = snapshot(project)
        result = runner.invoke(app, ["update", str(project), *extra])
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert message in lines[0]
        assert snapshot(project) == before
