from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tqgen import __version__
from tqgen.cli import app
from tqgen.template_source import TEMPLATE_ENV

runner = CliRunner()


def listing(root: Path) -> list[str]:
    """Every path under root, hidden ones included, so leftovers cannot hide."""
    return sorted(str(path.relative_to(root)) for path in root.rglob("*"))


def git(project: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=project, capture_output=True, text=True, check=True
    ).stdout


class TestVersionAndHelp:
    def test_version_prints_the_package_version(self):
        """--version prints the installed version and exits 0."""
        result = runner.invoke(app, ["--version"])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == f"tqgen {__version__}"

    @pytest.mark.parametrize("module", ["copier", "importlib.metadata"])
    def test_help_does_not_import_slow_modules(self, module: str):
        """`tqgen --help` imports neither Copier nor importlib.metadata (for the version)."""
        probe = (
            "import sys\n"
            "from tqgen.cli import app\n"
            "try:\n"
            "    app(['--help'])\n"
            "except SystemExit:\n"
            "    pass\n"
            f"print({module!r} in sys.modules)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        )
        assert result.stdout.strip().splitlines()[-1] == "False"


class TestNew:
    def test_defaults_render_a_committed_project(self, tmp_path: Path):
        """`new NAME --defaults` writes the project, its answers file and one clean commit."""
        result = runner.invoke(app, ["new", "demo", "--defaults"])
        assert result.exit_code == 0, result.output
        project = tmp_path / "demo"
        answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
        assert answers["project_name"] == "demo"
        assert answers["framework"] == "alpha"
        assert len(git(project, "log", "--oneline").splitlines()) == 1
        assert git(project, "status", "--porcelain") == ""
        assert "Next steps" in result.output

    def test_flags_and_data_reach_the_answers_file(self, tmp_path: Path):
        """--broker, --web and --data answers are the ones recorded."""
        result = runner.invoke(
            app,
            [
                *("new", "demo", "--broker", "blue", "--web", "spider"),
                *("-d", "monitoring=false", "-d", "size=7", "--defaults", "--no-git"),
            ],
        )
        assert result.exit_code == 0, result.output
        answers = yaml.safe_load((tmp_path / "demo" / ".copier-answers.yml").read_text())
        assert (answers["broker"], answers["web"], answers["monitoring"], answers["size"]) == (
            "blue",
            "spider",
            False,
            7,
        )

    def test_no_git_leaves_no_repository(self, tmp_path: Path):
        """--no-git renders without creating a git repository."""
        result = runner.invoke(app, ["new", "demo", "--defaults", "--no-git"])
        assert result.exit_code == 0, result.output
        assert not (tmp_path / "demo" / ".git").exists()

    def test_answers_file_reproduces_another_project(self, tmp_path: Path):
        """Another project's .copier-answers.yml answers every question for a new one."""
        first = runner.invoke(app, ["new", "first", "--web", "spider", "--defaults", "--no-git"])
        assert first.exit_code == 0, first.output
        second = runner.invoke(
            app, ["new", "second", "--answers-file", "first/.copier-answers.yml", "--no-git"]
        )
        assert second.exit_code == 0, second.output
        answers = yaml.safe_load((tmp_path / "second" / ".copier-answers.yml").read_text())
        assert answers["web"] == "spider"
        assert answers["project_name"] == "second"

    def test_user_defaults_come_from_the_copier_settings_file_only_when_asked(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ):
        """Copier settings defaults apply with --user-defaults and are ignored without it."""
        settings = tmp_path.parent / f"{tmp_path.name}-user-settings.yml"
        settings.write_text("defaults:\n  web: spider\n")
        monkeypatch.setenv("COPIER_SETTINGS_PATH", str(settings))
        for name, extra in (("plain", []), ("asked", ["--user-defaults"])):
            result = runner.invoke(app, ["new", name, "--defaults", "--no-git", *extra])
            assert result.exit_code == 0, result.output
        web = {
            name: yaml.safe_load((tmp_path / name / ".copier-answers.yml").read_text())["web"]
            for name in ("plain", "asked")
        }
        assert web == {"plain": "none", "asked": "spider"}

    def test_existing_empty_directory_is_filled(self, tmp_path: Path):
        """An empty directory of that name is used as the project directory."""
        (tmp_path / "demo").mkdir()
        result = runner.invoke(app, ["new", "demo", "--defaults", "--no-git"])
        assert result.exit_code == 0, result.output
        assert (tmp_path / "demo" / ".copier-answers.yml").is_file()

    def test_output_dir_places_the_project(self, tmp_path: Path):
        """--output-dir chooses where the project directory is created."""
        (tmp_path / "out").mkdir()
        result = runner.invoke(app, ["new", "demo", "-o", "out", "--defaults", "--no-git"])
        assert result.exit_code == 0, result.output
        assert (tmp_path / "out" / "demo" / ".copier-answers.yml").is_file()


class TestBadInput:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["new", "Bad-Name", "--defaults"], "invalid project_name 'Bad-Name': lowercase"),
            (["new", "taken", "--defaults"], "that name is taken"),
            (["new", "demo", "--broker", "gray", "--defaults"], "gray never works"),
            (["new", "demo", "--broker", "blue", "-d", "store=slow", "--defaults"], "red broker"),
            (["new", "demo", "--framework", "huey", "--defaults"], "unknown framework 'huey'"),
            (["new", "demo", "--web", "tornado", "--defaults"], "unknown web 'tornado'"),
            (["new", "demo", "-d", "size=big", "--defaults"], "expected a number"),
            (["new", "demo", "-d", "colour=red", "--defaults"], "unknown question 'colour'"),
            (["new", "demo", "-d", "novalue", "--defaults"], "KEY=VALUE"),
            (["new", "demo"], "no terminal"),
            (["new", "demo", "--answers-file", "missing.yml"], "cannot read answers file"),
            (["new", "demo", "-o", "nowhere", "--defaults"], "does not exist"),
        ],
    )
    def test_one_line_exit_2_and_nothing_written(
        self, tmp_path: Path, args: list[str], message: str
    ):
        """Each bad input gives one error line on stderr, exit code 2, and writes nothing."""
        before = listing(tmp_path)
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("tqgen: error: ")
        assert message in lines[0]
        assert listing(tmp_path) == before

    def test_unreadable_copier_settings_are_one_line(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ):
        """A broken Copier settings file, asked for with --user-defaults, is a one-line exit 2."""
        settings = tmp_path.parent / f"{tmp_path.name}-broken-settings.yml"
        settings.write_text("defaults: [oops\n")
        monkeypatch.setenv("COPIER_SETTINGS_PATH", str(settings))
        result = runner.invoke(app, ["new", "demo", "--defaults", "--user-defaults"])
        assert result.exit_code == 2, result.output
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Copier settings file" in result.stderr
        assert listing(tmp_path) == []

    def test_non_empty_target_is_refused_and_kept(self, tmp_path: Path):
        """A target holding files is refused, and the user's file is left as it was."""
        (tmp_path / "demo").mkdir()
        (tmp_path / "demo" / "notes.txt").write_text("mine\n")
        result = runner.invoke(app, ["new", "demo", "--defaults"])
        assert result.exit_code == 2
        assert "exists and is not empty" in result.stderr
        assert listing(tmp_path) == ["demo", "demo/notes.txt"]
        assert (tmp_path / "demo" / "notes.txt").read_text() == "mine\n"

    def test_target_that_is_a_file_is_refused(self, tmp_path: Path):
        """A file where the project directory would go is refused and kept."""
        (tmp_path / "demo").write_text("mine\n")
        result = runner.invoke(app, ["new", "demo", "--defaults"])
        assert result.exit_code == 2
        assert "not a directory" in result.stderr
        assert (tmp_path / "demo").read_text() == "mine\n"

    def test_template_failure_leaves_nothing_behind(
        self, tmp_path: Path, tiny_template: Path, monkeypatch: pytest.MonkeyPatch
    ):
        """A template that fails halfway through rendering leaves no directory behind (exit 3)."""
        broken = tmp_path.parent / f"{tmp_path.name}-broken-template"
        shutil.copytree(tiny_template, broken)
        (broken / "templates" / "alpha" / "zz_broken.txt.jinja").write_text("{{ no_such }}\n")
        subprocess.run(["git", "add", "--all"], cwd=broken, check=True)
        subprocess.run(["git", "commit", "-qm", "break"], cwd=broken, check=True)
        monkeypatch.setenv(TEMPLATE_ENV, str(broken))
        result = runner.invoke(app, ["new", "demo", "--defaults"])
        assert result.exit_code == 3, result.output
        assert "cannot render the template" in result.stderr
        assert listing(tmp_path) == []


class TestTemplateSource:
    def test_checkout_with_a_project_generated_inside_renders(
        self, tmp_path: Path, tiny_template: Path, monkeypatch: pytest.MonkeyPatch
    ):
        """A checkout holding a generated project (a nested git repository) still renders."""
        checkout = tmp_path.parent / f"{tmp_path.name}-checkout"
        shutil.copytree(tiny_template, checkout)
        monkeypatch.setenv(TEMPLATE_ENV, str(checkout))
        monkeypatch.chdir(checkout)
        assert runner.invoke(app, ["new", "inside", "--defaults"]).exit_code == 0
        monkeypatch.chdir(tmp_path)
        result = runner.invoke(app, ["new", "demo", "--defaults"])
        assert result.exit_code == 0, result.output
        answers = yaml.safe_load((tmp_path / "demo" / ".copier-answers.yml").read_text())
        assert answers["_src_path"] == str(checkout)
        assert answers["_commit"] == git(checkout, "describe", "--tags", "--always").strip()
        assert not (tmp_path / "demo" / "inside").exists()


class TestList:
    def test_lists_combinations_with_every_rule_question(self):
        """`tqgen list` prints the valid combinations, and the result store each may take."""
        result = runner.invoke(app, ["list"])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[:5] == [
            "framework  broker     web        store",
            "alpha      red        none       red/slow",
            "alpha      red        spider     red/slow",
            "alpha      blue       none       red",
            "alpha      blue       spider     red",
        ]

    def test_lists_every_rule_with_the_answers_it_applies_to(self):
        """Each unavailable choice, unconditional or not, with its reason from copier.yml."""
        result = runner.invoke(app, ["list"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        rules = result.output.split("Not available:\n", 1)[1].splitlines()
        assert rules == [
            "  framework=beta: beta is not ready",
            "  broker=gray: gray never works",
            "  store=slow with broker=blue: slow needs the red broker",
        ]

    def test_long_reasons_wrap_to_the_terminal(self):
        """At 40 columns no line of the rules is longer; nothing is cut."""
        result = runner.invoke(app, ["list"], env={"COLUMNS": "40"})
        rules = result.output.split("Not available:\n", 1)[1]
        assert max(len(line) for line in rules.splitlines()) < 40
        assert "slow needs the red broker" in " ".join(rules.split())
