"""Resolve every answer: given ones are checked, the rest come from defaults or from the user."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from tqgen.catalog import COMBINATION_KEYS, Catalog, Question
from tqgen.errors import InvalidAnswerError, NoTerminalError, UnknownQuestionError


class Asker(Protocol):
    """Asks one question on a terminal and returns a valid, typed answer."""

    def ask(self, question: Question, default: Any, answers: Mapping[str, Any]) -> Any:
        """Ask question, offering default; answers holds what was answered before."""


def _is_derived(question: Question) -> bool:
    # `when: false` (not a template) marks a value computed from other answers.
    return question.when is False


def resolve(
    catalog: Catalog,
    given: Mapping[str, Any],
    *,
    use_defaults: bool,
    asker: Asker | None,
    user_defaults: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return an answer for every question Copier will ask, in copier.yml's order.

    Args:
        catalog: The questions.
        given: Answers from flags, --data and answers files (raw values, checked here).
        use_defaults: Take the default of every question not given, instead of asking.
        asker: Asks on a terminal; None when there is no terminal.
        user_defaults: Defaults that override the template's (from the user's Copier settings).
    """
    for name in given:
        if name not in catalog:
            known = ", ".join(q.name for q in catalog.questions if not _is_derived(q))
            raise UnknownQuestionError(f"unknown question {name!r}; known questions: {known}")
        if _is_derived(catalog[name]):
            raise UnknownQuestionError(f"{name!r} is derived from other answers and cannot be set")

    answers: dict[str, Any] = {}
    for question in catalog.questions:
        if question.name in given and not catalog.is_asked(question, answers):
            # Copier would render with it yet not record it: a silent misconfiguration.
            keys = [key for key in COMBINATION_KEYS if key in answers]
            chosen = ", ".join(f"{key}={answers[key]}" for key in keys)
            raise InvalidAnswerError(f"{question.name!r} is not asked with {chosen}")
        if question.name in given:
            value = question.coerce(given[question.name])
            catalog.check(question, value, answers)
        elif _is_derived(question) or not catalog.is_asked(question, answers):
            continue
        else:
            default = (user_defaults or {}).get(question.name)
            if default is None:
                default = catalog.default(question, answers)
            else:  # the user's Copier settings: the same rules as any other answer
                default = question.coerce(default)
            if use_defaults:
                value = default
                catalog.check(question, value, answers)
            elif asker is None:
                raise NoTerminalError(
                    f"no terminal to ask for {question.name!r}; pass --defaults, "
                    f"--data {question.name}=VALUE or --answers-file FILE"
                )
            else:
                value = asker.ask(question, default, answers)
        answers[question.name] = value
    return answers
