"""A corpus of hostile-but-honest input to `tqgen new`: one line, the right exit code, no trace.

Every case runs the real console script in a process of its own (under a memory limit and a
timeout) and checks that it printed at most one line on stderr, no traceback, and left the
output directory (hidden staging directories included) and its TMPDIR exactly as they were.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tqgen.template_source import TEMPLATE_ENV

# Each setup writes its inputs under the sandbox's root and returns the extra command-line
# arguments, after `tqgen new demo --defaults`.
Setup = Callable[..., list[str]]


def answers_file(content: bytes) -> Setup:
    def setup(sandbox) -> list[str]:
        path = sandbox.root / "answers.yml"
        path.write_bytes(content)
        return ["--answers-file", str(path)]

    return setup


def answers_path(path: str) -> Setup:
    return lambda sandbox: ["--answers-file", path]


def fifo_answers(sandbox) -> list[str]:
    path = sandbox.root / "fifo.yml"
    os.mkfifo(path)
    return ["--answers-file", str(path)]


def directory_answers(sandbox) -> list[str]:
    return ["--answers-file", str(sandbox.root)]


def alias_bomb(sandbox) -> list[str]:
    """About ten lines whose aliases expand into 9**9 strings."""
    lines = ["_a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        name, previous = chr(97 + level), chr(96 + level)
        lines.append(f"_{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    lines.append("description: *i")
    path = sandbox.root / "bomb.yml"
    path.write_text("\n".join(lines) + "\n")
    return ["--answers-file", str(path)]


def settings(content: str) -> Setup:
    def setup(sandbox) -> list[str]:
        path = sandbox.root / "settings.yml"
        path.write_text(content)
        sandbox.env["COPIER_SETTINGS_PATH"] = str(path)
        return ["--user-defaults"]

    return setup


def settings_path(path: str) -> Setup:
    def setup(sandbox) -> list[str]:
        sandbox.env["COPIER_SETTINGS_PATH"] = path
        return ["--user-defaults"]

    return setup


def output_dir(path: str) -> Setup:
    return lambda sandbox: ["--output-dir", path]


def target_is(make: Callable[[Path], object]) -> Setup:
    def setup(sandbox) -> list[str]:
        make(sandbox.out / "demo")
        return []

    return setup


def args(*extra: str) -> Setup:
    return lambda sandbox: list(extra)


def failing_commit_signature(sandbox) -> list[str]:
    config = sandbox.root / "gitconfig"
    config.write_text("[commit]\n\tgpgsign = true\n[gpg]\n\tprogram = false\n")
    sandbox.env["GIT_CONFIG_GLOBAL"] = str(config)
    return []


def empty_target_and_failing_commit(sandbox) -> list[str]:
    (sandbox.out / "demo").mkdir()
    return failing_commit_signature(sandbox)


def no_git(sandbox) -> list[str]:
    sandbox.env["PATH"] = str(sandbox.root / "empty-bin")
    return []


# (id, setup, exit code, what the error line says)
NEW_CASES: list[tuple[str, Setup, int, str]] = [
    ("answers-binary", answers_file(b"\xff\xfe\x00\x01web: x\n"), 2, "not UTF-8"),
    ("answers-utf16", answers_file("web: flask\n".encode("utf-16")), 2, "not UTF-8"),
    ("answers-latin1", answers_file("description: caf\xe9\n".encode("latin-1")), 2, "not UTF-8"),
    ("answers-dev-zero", answers_path("/dev/zero"), 2, "not a regular file"),
    ("answers-fifo", fifo_answers, 2, "not a regular file"),
    ("answers-directory", directory_answers, 2, "not a regular file"),
    ("answers-missing", answers_path("missing.yml"), 2, "No such file"),
    # Not readable even by root (mode 0200): what a file without read permission does.
    ("answers-unreadable", answers_path("/proc/sys/vm/compact_memory"), 2, "Permission denied"),
    ("answers-alias-bomb", alias_bomb, 2, "aliases"),
    ("answers-too-large", answers_file(b"#" * 300_000 + b"\n"), 2, "larger than"),
    ("answers-deep", answers_file(b"[" * 5000 + b"\n"), 2, "answers file"),
    ("answers-list", answers_file(b"- web\n- flask\n"), 2, "must hold a mapping"),
    ("answers-list-answer", answers_file(b"web: [flask]\n"), 2, "expected text"),
    ("answers-maybe", answers_file(b"periodic_tasks: maybe\n"), 2, "expected true or false"),
    ("answers-nul", answers_file(b'description: "a\\0b"\n'), 2, "control characters"),
    ("settings-list-answer", settings("defaults:\n  web: [flask]\n"), 2, "expected text"),
    ("settings-maybe", settings("defaults:\n  periodic_tasks: maybe\n"), 2, "true or false"),
    ("settings-broken", settings("defaults: [oops\n"), 2, "not usable YAML"),
    ("settings-not-mapping", settings("defaults: [1, 2]\n"), 2, "must be a mapping"),
    ("settings-missing", settings_path("/nonexistent/settings.yml"), 2, "No such file"),
    ("settings-directory", settings_path("/"), 2, "not a regular file"),
    ("output-proc", output_dir("/proc"), 2, "cannot write /proc/demo"),
    ("output-sys", output_dir("/sys"), 2, "cannot write /sys/demo"),
    ("output-missing", output_dir("nowhere"), 2, "does not exist"),
    ("output-is-a-file", output_dir("/dev/null"), 2, "is not a directory"),
    ("target-file", target_is(lambda path: path.write_text("mine\n")), 2, "not a directory"),
    ("target-symlink", target_is(lambda path: path.symlink_to("/tmp")), 2, "not a directory"),
    (
        "target-not-empty",
        target_is(lambda path: (path.mkdir(), (path / "notes.txt").write_text("mine\n"))),
        2,
        "not empty",
    ),
    ("name-collections", args("--name-placeholder", "collections"), 2, "standard-library"),
    ("name-gunicorn", args("--name-placeholder", "gunicorn"), 2, "imports or installs"),
    ("name-windows-device", args("--name-placeholder", "con"), 2, "device name on Windows"),
    ("description-control", args("-d", "description=a\x01b"), 2, "control characters"),
    ("description-newline", args("-d", "description=a\nb"), 2, "control characters"),
    # A Latin-1 byte on the command line (Python passes it on as a lone surrogate).
    ("description-not-utf8", args("-d", "description=caf\udce9"), 2, "not UTF-8"),
    ("answers-path-not-utf8", answers_path("/nonexistent/\udcff.yml"), 2, "No such file"),
    ("flag-and-data-disagree", args("--framework", "celery", "-d", "framework=rq"), 2, "conflicts"),
    ("name-and-data-disagree", args("-d", "project_name=other"), 2, "conflicts"),
    ("empty-bool", args("-d", "periodic_tasks="), 2, "expected true or false"),
    ("word-bool", args("-d", "periodic_tasks=maybe"), 2, "expected true or false"),
    ("commit-signing-fails", failing_commit_signature, 5, "nothing was written"),
    ("empty-target-commit-fails", empty_target_and_failing_commit, 5, "nothing was written"),
    ("git-missing", no_git, 4, "git is not installed"),
]


def command_for(extra: list[str]) -> list[str]:
    """`new demo --defaults` plus extra; `--name-placeholder X` replaces the name demo."""
    name = "demo"
    if extra[:1] == ["--name-placeholder"]:
        name, extra = extra[1], extra[2:]
    return ["new", name, "--defaults", *extra]


def assert_one_clean_line(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tqgen: error: "), lines[0]
    assert message in lines[0], lines[0]


class TestNew:
    @pytest.mark.parametrize(
        ("setup", "exit_code", "message"),
        [pytest.param(*case[1:], id=case[0]) for case in NEW_CASES],
    )
    def test_refused_in_one_line_and_nothing_left(
        self, sandbox, setup: Setup, exit_code: int, message: str
    ):
        """Each hostile input gets its exit code, one line on stderr, and changes no file."""
        extra = setup(sandbox)
        before = sandbox.tree()
        result = sandbox.run(*command_for(extra))
        assert result.returncode == exit_code, result.stderr
        assert_one_clean_line(result, message)
        assert sandbox.tree() == before

    def test_read_only_output_directory(self, sandbox, tmpfs):
        """A read-only filesystem as the output directory is one line, exit 2."""
        mount = tmpfs(sandbox.root / "ro", "ro")
        result = sandbox.run("new", "demo", "--defaults", "--output-dir", str(mount))
        assert result.returncode == 2, result.stderr
        assert_one_clean_line(result, "Read-only file system")
        assert list(mount.iterdir()) == []

    @pytest.mark.parametrize(
        "extra", [pytest.param([], id="missing-name"), pytest.param(["--colour"], id="unknown")]
    )
    def test_malformed_command_lines_get_clicks_usage_message(self, sandbox, extra: list[str]):
        """A malformed command line is Click's short usage message, exit 2, no traceback."""
        result = sandbox.run("new", *extra)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert "Usage: " in result.stderr


class TestEmptyMountedTarget:
    def test_project_fills_an_empty_mount_point(self, sandbox, tmpfs):
        """An empty target on another filesystem (a volume, a tmpfs) receives the project."""
        mount = tmpfs(sandbox.out / "demo")
        result = sandbox.run("new", "demo", "--defaults")
        assert result.returncode == 0, result.stderr
        assert (mount / ".copier-answers.yml").is_file()
        log = subprocess.run(
            ["git", "log", "--oneline"], cwd=mount, capture_output=True, text=True, check=True
        )
        assert len(log.stdout.splitlines()) == 1
        assert sorted(path.name for path in sandbox.out.iterdir()) == ["demo"]

    def test_read_only_mount_point_is_one_line(self, sandbox, tmpfs):
        """An empty target nobody can write to is exit 2 naming it, not a template failure."""
        mount = tmpfs(sandbox.out / "demo", "ro")
        before = sandbox.tree()
        result = sandbox.run("new", "demo", "--defaults")
        assert result.returncode == 2, result.stderr
        assert_one_clean_line(result, f"cannot write {mount}")
        assert sandbox.tree() == before

    def test_failure_leaves_the_mount_point_empty(self, sandbox, tmpfs):
        """A failure while filling a mounted target empties it again."""
        mount = tmpfs(sandbox.out / "demo")
        extra = failing_commit_signature(sandbox)
        before = sandbox.tree()
        result = sandbox.run("new", "demo", "--defaults", *extra)
        assert result.returncode == 5, result.stderr
        assert_one_clean_line(result, "nothing was written")
        assert list(mount.iterdir()) == []
        assert sandbox.tree() == before


def test_git_missing_without_git_is_fine(sandbox):
    """Without git on PATH, --no-git still renders (the check is for the first commit only)."""
    sandbox.env["PATH"] = str(sandbox.root / "empty-bin")
    result = sandbox.run("new", "demo", "--defaults", "--no-git")
    assert result.returncode == 0, result.stderr
    assert (sandbox.out / "demo" / ".copier-answers.yml").is_file()


@pytest.fixture
def project(sandbox, tiny_template: Path) -> Path:
    """A committed project generated from the tiny template (released as v0.1.0)."""
    sandbox.env[TEMPLATE_ENV] = str(tiny_template)
    result = sandbox.run("new", "demo", "--defaults")
    assert result.returncode == 0, result.stderr
    return sandbox.out / "demo"


def committed_answers(content: bytes) -> Callable[..., list[str]]:
    def setup(sandbox, project: Path) -> list[str]:
        (project / ".copier-answers.yml").write_bytes(content)
        commit = ["git", "commit", "--quiet", "--all", "--message", "answers"]
        subprocess.run(commit, cwd=project, env=sandbox.env, check=True)
        return []

    return setup


def recorded_release(commit: str) -> Callable[..., list[str]]:
    """The project's answers file records `commit` as the release it was rendered from."""

    def setup(sandbox, project: Path) -> list[str]:
        path = project / ".copier-answers.yml"
        lines = path.read_text().splitlines()
        path.write_text(
            "\n".join(
                f"_commit: {commit}" if line.startswith("_commit:") else line for line in lines
            )
            + "\n"
        )
        commit_all = ["git", "commit", "--quiet", "--all", "--message", "answers"]
        subprocess.run(commit_all, cwd=project, env=sandbox.env, check=True)
        return []

    return setup


def unreadable_answers(sandbox, project: Path) -> list[str]:
    """The answers file is a link to a file not even root may read."""
    (project / ".copier-answers.yml").unlink()
    (project / ".copier-answers.yml").symlink_to("/proc/sys/vm/compact_memory")
    commit_all = ["git", "commit", "--quiet", "--all", "--message", "answers"]
    subprocess.run(commit_all, cwd=project, env=sandbox.env, check=True)
    return []


def fifo_instead_of_answers(sandbox, project: Path) -> list[str]:
    (project / ".copier-answers.yml").unlink()
    os.mkfifo(project / ".copier-answers.yml")
    return []


def update_args(*extra: str) -> Callable[..., list[str]]:
    return lambda sandbox, project: list(extra)


def update_without_git(sandbox, project: Path) -> list[str]:
    sandbox.env["PATH"] = str(sandbox.root / "empty-bin")
    return []


# (id, setup, exit code, what the error line says)
UPDATE_CASES = [
    ("answers-binary", committed_answers(b"\xff\xfe\x00\x01"), 2, "not UTF-8"),
    ("answers-alias", committed_answers(b"a: &a [1]\nb: *a\n"), 2, "aliases"),
    ("answers-list", committed_answers(b"- 1\n"), 2, "must hold a mapping"),
    ("answers-fifo", fifo_instead_of_answers, 2, "not a regular file"),
    ("answers-unreadable", unreadable_answers, 2, "Permission denied"),
    ("release-garbage", recorded_release("'not a version!'"), 2, "cannot read the project's"),
    ("release-future", recorded_release("v9.9.9"), 2, "records template release 'v9.9.9'"),
    ("release-never-made", recorded_release("v0.0.7"), 2, "records template release 'v0.0.7'"),
    ("release-garbage-check", recorded_release("deadbeef1"), 2, "cannot read the project's"),
    ("no-such-release", update_args("--to", "v9.9.9"), 2, "has no release v9.9.9"),
    ("no-such-release-check", update_args("--check", "--to", "v9.9.9"), 2, "has no release"),
    ("not-a-version", update_args("--to", "latest"), 2, "not a release version"),
    ("git-missing", update_without_git, 4, "git is not installed; install it"),
]


class TestUpdate:
    @pytest.mark.parametrize(
        ("setup", "exit_code", "message"),
        [pytest.param(*case[1:], id=case[0]) for case in UPDATE_CASES],
    )
    def test_refused_in_one_line_and_nothing_changed(
        self, sandbox, project: Path, setup, exit_code: int, message: str
    ):
        """Each hostile project or option gets its exit code and one line, and changes nothing."""
        extra = setup(sandbox, project)
        before = sandbox.tree()
        result = sandbox.run("update", str(project), *extra)
        assert result.returncode == exit_code, result.stderr
        assert_one_clean_line(result, message)
        assert "--no-git" not in result.stderr
        assert sandbox.tree() == before


@pytest.mark.parametrize("settings", ["/nonexistent/settings.yml", "/dev/zero"])
def test_update_ignores_the_users_copier_settings(sandbox, project: Path, settings: str):
    """tqgen update neither reads nor warns about the user's Copier settings file."""
    sandbox.env["COPIER_SETTINGS_PATH"] = settings
    result = sandbox.run("update", "--check", str(project))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "up to date" in result.stdout


@pytest.mark.parametrize("command", [["new", "demo", "--defaults"], ["list"]], ids=" ".join)
def test_stdout_that_cannot_be_written_fails_nothing(sandbox, command: list[str]):
    """Output to a full disk (or a closed pipe) is dropped: the work stands, exit 0, no trace."""
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            sandbox.command(*command),
            cwd=sandbox.out,
            env=sandbox.env,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    if command[0] == "new":
        assert (sandbox.out / "demo" / ".copier-answers.yml").is_file()
