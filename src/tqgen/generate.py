"""`tqgen new`: from the user's input to a rendered, committed project."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tqgen
from tqgen import answers, render
from tqgen.catalog import Catalog
from tqgen.errors import UsageError
from tqgen.questionnaire import Asker, resolve
from tqgen.template_source import find_template


@dataclass(frozen=True)
class NewProject:
    """Everything `tqgen new` was told.

    Attributes:
        name: The project name, also the directory created under output_dir.
        flags: Answers from dedicated options (None when not given).
        data: Raw KEY=VALUE answers.
        answers_file: A YAML file of answers, or None.
        use_defaults: Take defaults instead of asking.
        output_dir: The directory the project directory is created in.
        init_git: Create a git repository with a first commit.
        use_user_defaults: Let the user's Copier settings file provide defaults.
        interactive: Whether a terminal is available for questions.
    """

    name: str
    flags: dict[str, str | None] = field(default_factory=dict)
    data: list[str] = field(default_factory=list)
    answers_file: Path | None = None
    use_defaults: bool = False
    output_dir: Path = Path(".")
    init_git: bool = True
    use_user_defaults: bool = False
    interactive: bool = False


@dataclass(frozen=True)
class GeneratedProject:
    """A project tqgen wrote.

    Attributes:
        path: Where it is.
        answers: The answers it was rendered with.
        next_steps: What was made and what to do next: copier.yml's `_message_after_copy`,
            which plain `copier copy` prints too.
    """

    path: Path
    answers: dict[str, Any]
    next_steps: str = ""

    def summary(self) -> str:
        """What was made, and the next steps."""
        return self.next_steps


def _refuse_conflicts(request: NewProject, data: dict[str, str]) -> None:
    """One command line, two answers to one question: refuse rather than pick one silently."""
    given = {key: value for key, value in request.flags.items() if value is not None}
    given["project_name"] = request.name
    for key, value in given.items():
        if key in data and data[key] != value:
            option = "NAME" if key == "project_name" else f"--{key}"
            raise UsageError(
                f"{option} {value!r} conflicts with --data {key}={data[key]!r}; give one of them"
            )


def generate(request: NewProject, *, asker: Asker | None = None) -> GeneratedProject:
    """Resolve the answers (asking only what was not given), then render and commit the project."""
    # The command line and the files it names first: a bad one fails before Copier is loaded.
    data = answers.parse_data(request.data)
    _refuse_conflicts(request, data)
    from_file = answers.load_answers_file(request.answers_file) if request.answers_file else {}
    user_defaults = answers.load_user_defaults() if request.use_user_defaults else None
    given = answers.merge(from_file, data, request.flags, {"project_name": request.name})
    source = find_template()
    catalog = Catalog.load(source.local_dir)
    # Check the name and the target before asking anything else: fail before the user types.
    catalog.check(catalog["project_name"], request.name, {})
    target = request.output_dir / request.name
    render.check_target(target)
    if asker is None and request.interactive and not request.use_defaults:
        from tqgen.prompts import TerminalAsker

        asker = TerminalAsker(catalog)
    resolved = resolve(
        catalog,
        given,
        use_defaults=request.use_defaults,
        asker=asker,
        user_defaults=user_defaults,
    )
    path = render.render(
        source,
        resolved,
        target,
        init_git=request.init_git,
        commit_message=f"Generate {request.name} with tqgen {tqgen.__version__}",
    )
    shown = os.path.abspath(path)  # `../demo` shown as /work/demo, without the `..`
    context = {
        **resolved,
        "_copier_conf": {"dst_path": shown},
        "_tqgen_committed": request.init_git,
    }
    next_steps = str(catalog.render(catalog.message_after_copy, context)).rstrip()
    next_steps = next_steps or f"Created {shown}."
    return GeneratedProject(path=path, answers=resolved, next_steps=next_steps)
