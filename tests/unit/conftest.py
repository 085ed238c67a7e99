"""Fixtures for the CLI's tests: a tiny template repository and an isolated environment.

The CLI's behaviour (flags, errors, exit codes, update) is tested against a template of a few
lines written here, so rewording or extending the real templates cannot break these tests. The
tests about the real copier.yml's questions live in test_catalog.py and read the real file.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from support.gitrepo import git_save, isolated_git_env

from tqgen.template_source import TEMPLATE_ENV

TINY_COPIER_YML = """\
_subdirectory: "templates/{{ framework }}"
_templates_suffix: .jinja
_answers_file: .copier-answers.yml
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
