"""The `tqgen` command line: parse, call the core, turn TqgenError into a line and exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

import tqgen
from tqgen.errors import AbortedError, TqgenError, one_line
from tqgen.offered import choices_metavar

app = typer.Typer(
    help="Generate a hardened, tested background-task project from Copier templates.",
    # Plain Click help: importing rich to format it would cost more than half a second.
    rich_markup_mode=None,
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

T = TypeVar("T")


def _report(call: Callable[[], T]) -> T:
    """Run call; an expected error becomes one line on stderr and its exit code."""
    try:
        return call()
    except KeyboardInterrupt:  # Ctrl-C, SIGTERM or SIGHUP before any work was started
        error: TqgenError = AbortedError("interrupted; nothing was changed")
    except TqgenError as raised:
        error = raised
    typer.echo(f"tqgen: error: {one_line(error)}", err=True)
    raise typer.Exit(error.exit_code)


def _say(text: str) -> None:
    """Print text on stdout; a closed pipe or full disk there is not the command's failure.

    The work is done when this runs (`tqgen list | head -1`, `tqgen new ... > /dev/full`):
    output that cannot be written is dropped, silently, with the command's own exit code.
    """
    if sys.stdout is None:  # started with stdout closed
        return
    try:
        typer.echo(text)
        sys.stdout.flush()
    except OSError:
        # Later writes (and the interpreter's final flush) must not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _show_version(value: bool) -> None:
    if value:
        _say(f"tqgen {tqgen.__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", is_eager=True, callback=_show_version
        ),
    ] = False,
) -> None:
    pass


@app.command()
def new(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="Project name; also the directory created.")
    ],
    *,
    framework: Annotated[
        str | None, typer.Option(metavar=choices_metavar("framework"), help="Task framework.")
    ] = None,
    broker: Annotated[
        str | None, typer.Option(metavar=choices_metavar("broker"), help="Message broker.")
    ] = None,
    web: Annotated[
        str | None,
        typer.Option(metavar=choices_metavar("web"), help="Web framework, or 'none' for a CLI."),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option("--data", "-d", help="Answer a question: KEY=VALUE (repeatable)."),
    ] = None,
    answers_file: Annotated[
        Path | None,
        # tqgen reads the file itself: any problem with it is one line, not Click's usage text.
        typer.Option(
            readable=False,
            help="YAML file of answers, e.g. another project's .copier-answers.yml.",
        ),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Take the default for every question not given.")
    ] = False,
    output_dir: Annotated[
        Path, typer.Option("--output-dir", "-o", help="Where the project directory is created.")
    ] = Path("."),
    git: Annotated[
        bool, typer.Option("--git/--no-git", help="Create a git repository with a first commit.")
    ] = True,
    user_defaults: Annotated[
        bool,
        typer.Option("--user-defaults", help="Use the defaults in your Copier settings.yml."),
    ] = False,
) -> None:
    """Create a new project in NAME/.

    Asks, on a terminal, only what the options did not answer.
    """

    def create() -> str:
        from tqgen.generate import NewProject, generate

        request = NewProject(
            name=name,
            flags={"framework": framework, "broker": broker, "web": web},
            data=data or [],
            answers_file=answers_file,
            use_defaults=defaults,
            output_dir=output_dir,
            init_git=git,
            use_user_defaults=user_defaults,
            interactive=sys.stdin.isatty() and sys.stdout.isatty(),
        )
        return generate(request).summary()

    _say(_report(create))


@app.command("list")
def list_combinations() -> None:
    """List the supported combinations.

    Then every choice that is not available, with the answers that rule it out and why.
    """
    import shutil
    import textwrap

    from tqgen.catalog import COMBINATION_KEYS, Catalog
    from tqgen.template_source import find_template

    catalog = _report(lambda: Catalog.load(find_template().local_dir))
    keys = [key for key in COMBINATION_KEYS if key in catalog]
    others = [q for q in catalog.rule_questions() if q.name not in COMBINATION_KEYS]
    names = [*keys, *(q.name for q in others)]
    width = max(len(name) for name in names) + 2
    _say("".join(f"{name:<{width}}" for name in names).rstrip())
    for combination in catalog.combinations():
        row = [str(combination.get(key, "-")) for key in keys]
        row += ["/".join(map(str, catalog.options(q, combination))) or "-" for q in others]
        _say("".join(f"{cell:<{width}}" for cell in row).rstrip())
    rules = list(catalog.rules())
    if rules:
        _say("\nNot available:")
        columns = shutil.get_terminal_size().columns
        for rule in rules:
            _say(
                textwrap.fill(
                    f"{rule}: {rule.reason}",
                    columns - 1,
                    initial_indent="  ",
                    subsequent_indent="    ",
                    break_on_hyphens=False,
                )
            )


@app.command()
def update(
    path: Annotated[Path, typer.Argument(help="The project to update.")] = Path("."),
    *,
    check: Annotated[
        bool, typer.Option("--check", help="Only report whether an update is available.")
    ] = False,
    to: Annotated[
        str | None, typer.Option(help="Update to this release tag instead of the latest.")
    ] = None,
) -> None:
    """Update a project to a newer template release.

    Refuses an untracked or uncommitted project; names every file left with a conflict.
    """

    def run() -> None:
        from tqgen.update import apply, plan

        found = plan(path, to, check=check)
        if not found.available:
            _say(f"{found.project.name} is up to date (template {found.current}).")
            return
        _say(f"{found.project.name}: template {found.current} -> {found.latest}")
        if check:
            _say("An update is available; run `tqgen update` to apply it.")
            return
        apply(found)
        _say("Updated. Review the changes with `git diff`, run the tests, then commit.")

    _report(run)


def main() -> None:
    """Run the command line (the console script, tqgen.console, handles signals first)."""
    app()
