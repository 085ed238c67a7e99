"""Fixtures for the CLI's tests: a tiny template repository and an isolated environment.

The CLI's behaviour (flags, errors, exit codes, update) is tested against a template of a few
lines written here, so rewording or extending the real templates cannot break these tests. The
tests about the real copier.yml's questions live in test_catalog.py and read the real file.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support.gitrepo import git_save, isolated_git_env

from tqgen.template_source import TEMPLATE_ENV

TINY_COPIER_YML = """\
_subdirectory: "templates/{{ framework }}"
_templates_suffix: .jinja
_answers_file: .copier-answers.yml
_message_after_copy: |-
  Created {{ _copier_conf.dst_path }}.
  Next steps: cd {{ _copier_conf.dst_path }}
_envops:
  keep_trailing_newline: true
  undefined: jinja2.StrictUndefined

project_name:
  type: str
  help: Name of the thing
  default: "{{ _copier_conf.dst_path | realpath | basename }}"
  validator: >-
    {%- if not (project_name | regex_search('^[a-z][a-z0-9]*([-_][a-z0-9]+)*$')) -%}
    lowercase words only
    {%- elif project_name == 'taken' -%}
    that name is taken
    {%- endif -%}

module_name:
  type: str
  default: "{{ project_name | replace('-', '_') }}"
  when: false

description:
  type: str
  help: Say what it does
  default: About {{ project_name }}

framework:
  type: str
  help: Pick a framework
  choices:
    Alpha: alpha
    Beta:
      value: beta
      validator: beta is not ready
  default: alpha

broker:
  type: str
  help: Pick a broker
  choices:
    Red: red
    Blue: blue
    Gray:
      value: gray
      validator: gray never works
  default: red

store:
  type: str
  help: Pick a store
  when: "{{ framework == 'alpha' }}"
  choices:
    Red: red
    Slow:
      value: slow
      validator: "{% if broker == 'blue' %}slow needs the red broker{% endif %}"
  default: red

web:
  type: str
  help: Pick a web layer
  choices:
    None: none
    Spider: spider
  default: none

size:
  type: int
  help: How big
  default: 3

periodic:
  type: bool
  help: Tick periodically
  when: "{{ framework == 'alpha' }}"
  default: true

monitoring:
  type: bool
  help: Watch it
  default: true
"""

TINY_FILES = {
    "copier.yml": TINY_COPIER_YML,
    "templates/alpha/{{ _copier_conf.answers_file }}.jinja": (
        "# Changes here will be overwritten by Copier\n{{ _copier_answers|to_nice_yaml -}}\n"
    ),
    "templates/alpha/README.md.jinja": "# {{ project_name }}\n\n{{ description }}\n",
    "templates/alpha/{{ module_name }}/__init__.py.jinja": '"""{{ description }}"""\n',
}


def _write_files(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


@pytest.fixture(scope="session")
def tiny_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny template as a git repository tagged v0.1.0."""
    repo = tmp_path_factory.mktemp("tiny") / "template"
    _write_files(repo, TINY_FILES)
    git_save(repo, "tiny template", tag="v0.1.0")
    return repo


TemplateBuilder = Callable[..., Path]


@pytest.fixture
def make_template(tmp_path_factory: pytest.TempPathFactory) -> TemplateBuilder:
    """Build a variant of the tiny template: `make_template({path: text}, tag="v0.1.0")`.

    Given an existing repository as `repo=`, it commits the files there instead (a new release).
    """

    def build(files: dict[str, str], tag: str | None = "v0.1.0", repo: Path | None = None) -> Path:
        if repo is None:
            repo = tmp_path_factory.mktemp("tiny-variant") / "template"
            _write_files(repo, TINY_FILES)
        _write_files(repo, files)
        git_save(repo, f"release {tag}", tag=tag)
        return repo

    return build


@pytest.fixture(autouse=True)
def _isolated_environment(
    tiny_template: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Point tqgen at the tiny template; keep the user's git and Copier config out."""
    monkeypatch.setenv(TEMPLATE_ENV, str(tiny_template))
    for key, value in isolated_git_env().items():
        monkeypatch.setenv(key, value)
    settings = tmp_path.parent / f"{tmp_path.name}-copier-settings.yml"
    settings.write_text("{}\n")  # an empty settings file: no user defaults, no trust
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(settings))
    monkeypatch.chdir(tmp_path)


# Bounds for a tqgen process fed hostile input: a memory bomb fails instead of taking the
# machine down, a hang fails instead of hanging the suite.
MEMORY_LIMIT = 1 << 30
TIMEOUT = 60
# How the console script runs tqgen (the installed entry point, without depending on PATH).
CONSOLE_SCRIPT = "from tqgen.console import main; main()"


def _as_from_a_terminal() -> None:
    """In the child before exec: the memory limit, and SIGINT as a terminal's shell leaves it.

    A shell without job control starts background commands with SIGINT ignored, and Python
    then installs no KeyboardInterrupt handler: a test run started that way would see tqgen
    ignore Ctrl-C.
    """
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class Sandbox:
    """A place to run the `tqgen` command as a user would: its own output and temp directories.

    Attributes:
        root: Scratch space for inputs (answers files, settings, FIFOs); not watched.
        out: The working and output directory tqgen runs in.
        tmp: TMPDIR for tqgen; it must be as empty afterwards as before.
        env: The environment tqgen runs with.
    """

    root: Path
    out: Path
    tmp: Path
    env: dict[str, str] = field(default_factory=dict)

    def command(self, *args: str) -> list[str]:
        """The command line running tqgen's console script with args."""
        return [sys.executable, "-c", CONSOLE_SCRIPT, *args]

    def start(self, *args: str, **popen: object) -> subprocess.Popen[str]:
        """Start tqgen with args, under the memory limit, without waiting for it."""
        return self.start_python(CONSOLE_SCRIPT, *args, **popen)

    def start_python(self, script: str, *args: str, **popen: object) -> subprocess.Popen[str]:
        """Start `python -c script args` as tqgen is started (a test's own way into tqgen)."""
        return subprocess.Popen(
            [sys.executable, "-c", script, *args],
            cwd=self.out,
            env=self.env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=_as_from_a_terminal,
            **popen,
        )

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run tqgen with args to the end, under the memory limit and the timeout."""
        process = self.start(*args)
        try:
            stdout, stderr = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
        return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)

    def tree(self) -> dict[str, str]:
        """Every path under out and tmp, hidden ones included, with each file's content."""
        listing = {}
        for label, base in (("out", self.out), ("tmp", self.tmp)):
            for path in sorted(base.rglob("*")):
                key = f"{label}/{path.relative_to(base)}"
                if "/.git/" in key:  # git refreshes its index on `git status`
                    continue
                regular = path.is_file() and not path.is_symlink()
                listing[key] = path.read_bytes().hex()[:64] if regular else "-"
        return listing


@pytest.fixture
def sandbox(tmp_path: Path, template_repo: Path) -> Sandbox:
    """A sandbox whose tqgen renders this checkout's templates."""
    root, out, tmp = tmp_path / "inputs", tmp_path / "out", tmp_path / "tmp"
    for directory in (root, out, tmp):
        directory.mkdir()
    settings = root / "copier-settings.yml"
    settings.write_text("{}\n")
    env = {
        **os.environ,
        **isolated_git_env(),
        TEMPLATE_ENV: str(template_repo),
        "COPIER_SETTINGS_PATH": str(settings),
        "TMPDIR": str(tmp),
    }
    return Sandbox(root, out, tmp, env)


@pytest.fixture
def tmpfs():
    """Mount a tmpfs (options extra) on a new directory; skipped where mounting is not allowed."""
    mounted: list[Path] = []

    def mount(path: Path, *options: str) -> Path:
        path.mkdir()
        flags = ",".join(["size=64m", *options])
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", flags, "tmpfs", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip() or 'not root'}")
        mounted.append(path)
        return path

    yield mount
    for path in mounted:
        subprocess.run(["umount", str(path)], check=False)
