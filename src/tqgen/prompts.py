"""Ask questions on a terminal with questionary, built from the catalog's data."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Mapping
from typing import Any

import questionary

from tqgen.catalog import Catalog, Choice, Question
from tqgen.errors import AbortedError, InvalidAnswerError

# How questionary lays out a disabled choice: a pointer column, "- ", the label, then the
# reason in parentheses.
_DISABLED_LEAD = " " * 3 + "- "


def wrap_reason(label: str, reason: str, columns: int) -> str:
    """The reason of a disabled choice, in lines that fit `columns` where questionary shows it.

    Questionary shows `   - Label (reason)`; later lines are indented under the label.
    """
    lead = f"{_DISABLED_LEAD}{label} ("
    indent = " " * len(_DISABLED_LEAD)
    # One column spare: a line filling the terminal exactly would wrap on its own.
    lines = textwrap.wrap(
        reason + ")",
        width=max(columns - 1, len(lead) + 10),
        initial_indent=lead,
        subsequent_indent=indent,
        break_on_hyphens=False,
    )
    return "\n".join(lines)[len(lead) : -1]


class TerminalAsker:
    """Asks each question with the widget that fits its type; impossible choices are disabled."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def ask(self, question: Question, default: Any, answers: Mapping[str, Any]) -> Any:
        """Ask question on the terminal.

        Raises:
            AbortedError: Ctrl-C, Ctrl-D on an empty answer, a stop signal, or the terminal
                gone (closed while the question waited: writing to it fails).
        """
        try:
            if question.choices:
                return self._select(question, default, answers)
            if question.type == "bool":
                return questionary.confirm(question.help, default=bool(default)).unsafe_ask()
            return self._text(question, default, answers)
        except (KeyboardInterrupt, EOFError, OSError):
            raise AbortedError("cancelled; nothing was written") from None

    def _select(self, question: Question, default: Any, answers: Mapping[str, Any]) -> Any:
        columns = shutil.get_terminal_size().columns
        choices = []
        for choice in question.choices:
            reason = self.catalog.disabled_reason(choice, {**answers, question.name: choice.value})
            disabled = wrap_reason(choice.label, reason, columns) if reason else None
            choices.append(
                questionary.Choice(title=choice.label, value=choice.value, disabled=disabled)
            )
        enabled = [choice.value for choice in choices if not choice.disabled]
        if len(enabled) == 1:
            [only] = [choice for choice in question.choices if choice.value in enabled]
            return self._only_choice(question, only)
        start = default if default in enabled else (enabled[0] if enabled else None)
        return questionary.select(question.help, choices=choices, default=start).unsafe_ask()

    def _only_choice(self, question: Question, choice: Choice) -> Any:
        """Answer a question whose other choices are all disabled, and show it answered."""
        questionary.print("? ", style="fg:ansigreen bold", end="")
        questionary.print(f"{question.help} ", style="bold", end="")
        questionary.print(f"{choice.label} (the only choice)", style="fg:ansiyellow")
        return choice.value

    def _text(self, question: Question, default: Any, answers: Mapping[str, Any]) -> Any:
        def validate(text: str) -> bool | str:
            try:
                self.catalog.check(question, question.coerce(text), answers)
            except InvalidAnswerError as error:
                return str(error)
            return True

        text = questionary.text(
            question.help, default="" if default is None else str(default), validate=validate
        ).unsafe_ask()
        return question.coerce(text)
