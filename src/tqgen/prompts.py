"""Ask questions on a terminal with questionary, built from the catalog's data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import questionary

from tqgen.catalog import Catalog, Question
from tqgen.errors import AbortedError, InvalidAnswerError


class TerminalAsker:
    """Asks each question with the widget that fits its type; impossible choices are disabled."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def ask(self, question: Question, default: Any, answers: Mapping[str, Any]) -> Any:
        """Ask question on the terminal; Ctrl-C raises AbortedError."""
        try:
            if question.choices:
                return self._select(question, default, answers)
            if question.type == "bool":
                return questionary.confirm(question.help, default=bool(default)).unsafe_ask()
            return self._text(question, default, answers)
        except KeyboardInterrupt:
            raise AbortedError("cancelled; nothing was written") from None

    def _select(self, question: Question, default: Any, answers: Mapping[str, Any]) -> Any:
        choices = []
        for choice in question.choices:
            reason = self.catalog.disabled_reason(choice, {**answers, question.name: choice.value})
            choices.append(
                questionary.Choice(title=choice.label, value=choice.value, disabled=reason or None)
            )
        enabled = [choice.value for choice in choices if not choice.disabled]
        start = default if default in enabled else (enabled[0] if enabled else None)
        return questionary.select(question.help, choices=choices, default=start).unsafe_ask()

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
