"""The questionnaire as copier.yml defines it: questions, choices, and which choices are allowed.

copier.yml is the single source of truth. This module reads it through Copier's own loader and
evaluates its Jinja expressions (`when`, `default`, `validator`, per-choice validators) the way
Copier does, so the CLI can ask, check and list combinations without a second hand-written table.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

from tqgen.errors import InvalidAnswerError, TemplateError

# The extension Copier loads into every template environment (it provides regex_search & co).
_COPIER_JINJA_EXTENSIONS = ["jinja2_ansible_filters.AnsibleCoreFiltersExtension"]

_TRUE_WORDS = {"y", "yes", "t", "true", "on", "1"}
_FALSE_WORDS = {"n", "no", "f", "false", "off", "0", ""}

# The questions that define a combination, in the order `tqgen list` prints them. A question
# some frameworks do not ask (Airflow's executor; a broker for Airflow's local executor) is
# left out of the combinations that do not ask it.
COMBINATION_KEYS = ("framework", "executor", "broker", "web")


@dataclass(frozen=True)
class Choice:
    """One choice of a question.

    Attributes:
        label: What the questionnaire shows.
        value: What is stored in the answers.
        validator: A Jinja template; a non-empty rendering disables the choice with that reason.
    """

    label: str
    value: Any
    validator: str = ""


@dataclass(frozen=True)
class Question:
    """One question of copier.yml.

    Attributes:
        name: The answer's key.
        type: Copier's type name (str, bool, int, float, yaml, json).
        help: The prompt text.
        default: The default, possibly a Jinja template.
        choices: The allowed values; empty for free-form questions.
        when: Whether the question is asked: a bool or a Jinja template.
        validator: A Jinja template; a non-empty rendering rejects the answer with that reason.
    """

    name: str
    type: str
    help: str
    default: Any
    choices: tuple[Choice, ...]
    when: Any
    validator: str

    @classmethod
    def from_copier(cls, name: str, spec: Mapping[str, Any]) -> Question:
        """Build a question from its copier.yml mapping."""
        raw_choices = spec.get("choices") or {}
        if isinstance(raw_choices, list):
            raw_choices = {str(value): value for value in raw_choices}
        choices = []
        for label, value in raw_choices.items():
            if isinstance(value, Mapping):
                choices.append(Choice(str(label), value["value"], value.get("validator", "")))
            else:
                choices.append(Choice(str(label), value))
        return cls(
            name=name,
            type=spec.get("type", "yaml"),
            help=spec.get("help", name),
            default=spec.get("default"),
            choices=tuple(choices),
            when=spec.get("when", True),
            validator=spec.get("validator", ""),
        )

    def coerce(self, raw: Any) -> Any:
        """Turn a raw answer (from -d, an answers file or Copier settings) into this type.

        The same rules apply whatever the source, and they are stricter than YAML's: an empty
        string is not false, and a list is not text.
        """
        if self.type == "bool":
            if isinstance(raw, bool):
                return raw
            word = str(raw).strip().lower() if isinstance(raw, str | int) else None
            if word in _TRUE_WORDS:
                return True
            if word in _FALSE_WORDS - {""}:
                return False
            raise InvalidAnswerError(f"invalid {self.name} {_shown(raw)}: expected true or false")
        if self.type in {"int", "float"}:
            if isinstance(raw, str | int | float) and not isinstance(raw, bool):
                try:
                    return int(raw) if self.type == "int" else float(raw)
                except ValueError:
                    pass
            raise InvalidAnswerError(f"invalid {self.name} {_shown(raw)}: expected a number")
        if self.type == "str":
            if not isinstance(raw, str | int | float) or isinstance(raw, bool):
                raise InvalidAnswerError(f"invalid {self.name} {_shown(raw)}: expected text")
            text = str(raw)
            if any(unicodedata.category(char) == "Cs" for char in text):
                # Bytes that are not UTF-8 on the command line arrive as lone surrogates.
                raise InvalidAnswerError(f"invalid {self.name}: it is not UTF-8 text")
            if any(unicodedata.category(char) == "Cc" for char in text):
                raise InvalidAnswerError(
                    f"invalid {self.name} {_shown(text)}: "
                    "must not contain control characters (a NUL byte, a line break, a tab)"
                )
            return text
        return raw


def _shown(raw: Any) -> str:
    """A raw answer for an error message: its repr, cut short (it may be large)."""
    shown = repr(raw) if isinstance(raw, str | int | float | bool) else type(raw).__name__
    return shown if len(shown) <= 60 else shown[:57] + "..."


class Catalog:
    """The questions of one template repository, with Copier's Jinja semantics."""

    def __init__(self, questions: list[Question], message_after_copy: str = "") -> None:
        self.questions = questions
        # The next steps, a Jinja template (copier.yml's `_message_after_copy`).
        self.message_after_copy = message_after_copy
        self._by_name = {question.name: question for question in questions}
        self._env = SandboxedEnvironment(
            extensions=_COPIER_JINJA_EXTENSIONS, undefined=StrictUndefined
        )
        # Each expression is compiled once: the project_name validator is checked repeatedly.
        self._compiled: dict[str, Template] = {}

    @classmethod
    def load(cls, template_dir: Path) -> Catalog:
        """Read copier.yml from a template repository through Copier's loader."""
        # Imported here so `tqgen --help` never pays for Copier. Copier keeps its loader
        # private (it handles !include and multi-document files); tqgen pins copier<10.
        from copier._template import filter_config, load_template_config
        from copier.errors import CopierError

        try:
            config, data = filter_config(load_template_config(template_dir / "copier.yml"))
        except (CopierError, OSError, ValueError) as error:
            raise TemplateError(f"cannot read the questions in {template_dir}: {error}") from None
        questions = [Question.from_copier(name, spec) for name, spec in data.items()]
        return cls(questions, str(config.get("message_after_copy", "")))

    def __getitem__(self, name: str) -> Question:
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def render(self, value: Any, answers: Mapping[str, Any]) -> Any:
        """Render a Jinja template string with the answers so far; other values pass through."""
        if not isinstance(value, str) or "{" not in value:
            return value
        context = {"_copier_conf": {"dst_path": "."}, **answers}
        try:
            if value not in self._compiled:
                self._compiled[value] = self._env.from_string(value)
            return self._compiled[value].render(context)
        except Exception as error:  # a broken expression in copier.yml, not a user error
            raise TemplateError(f"copier.yml: cannot evaluate {value!r}: {error}") from None

    def is_asked(self, question: Question, answers: Mapping[str, Any]) -> bool:
        """Whether Copier asks (and records) this question, given the answers so far."""
        when = self.render(question.when, answers)
        if isinstance(when, str):
            return when.strip().lower() not in _FALSE_WORDS
        return bool(when)

    def default(self, question: Question, answers: Mapping[str, Any]) -> Any:
        """The question's default, rendered with the answers so far."""
        return question.coerce(self.render(question.default, answers))

    def disabled_reason(self, choice: Choice, answers: Mapping[str, Any]) -> str:
        """Why a choice cannot be taken with these answers, or '' when it can."""
        return str(self.render(choice.validator, answers)).strip()

    def check(self, question: Question, value: Any, answers: Mapping[str, Any]) -> None:
        """Raise InvalidAnswerError when value is not a valid answer to question."""
        if question.choices:
            by_value = {choice.value: choice for choice in question.choices}
            choice = by_value.get(value)
            if choice is None:
                known = ", ".join(str(choice.value) for choice in question.choices)
                raise InvalidAnswerError(
                    f"unknown {question.name} {value!r}; choose one of: {known}"
                )
            if reason := self.disabled_reason(choice, {**answers, question.name: value}):
                raise InvalidAnswerError(f"{question.name} {value!r} is not available: {reason}")
        if question.validator:
            reason = str(self.render(question.validator, {**answers, question.name: value}))
            if reason.strip():
                raise InvalidAnswerError(f"invalid {question.name} {value!r}: {reason.strip()}")

    def combinations(self) -> Iterator[dict[str, Any]]:
        """Every allowed combination of the answers to COMBINATION_KEYS, in copier.yml's order.

        A question not asked for the answers before it is left out of the combination.
        """
        keys = [key for key in COMBINATION_KEYS if key in self]
        seen: list[dict[str, Any]] = []
        for values in itertools.product(*(self[key].choices for key in keys)):
            answers: dict[str, Any] = {}
            for key, choice in zip(keys, values, strict=True):
                question = self[key]
                if not self.is_asked(question, answers):
                    continue
                answers[key] = choice.value
                if self.disabled_reason(choice, answers):
                    break
            else:
                if answers not in seen:
                    seen.append(answers)
                    yield answers

    def rule_questions(self) -> list[Question]:
        """The questions that make a combination: its keys, and those with a choice to rule out.

        A question whose choices have validators (a result backend) belongs to them too.
        """
        return [
            question
            for question in self.questions
            if question.name in COMBINATION_KEYS
            or any(choice.validator for choice in question.choices)
        ]

    def rules(self) -> Iterator[Rule]:
        """Every choice some answers disable, each with the answers that disable it and why.

        The answers are those of the rule questions before it (`rule_questions`), among the
        combinations those allow; a choice disabled whatever they are says so with no answers.
        """
        prefixes: list[dict[str, Any]] = [{}]
        for question in self.rule_questions():
            extended: list[dict[str, Any]] = []
            for choice in question.choices:
                disabled: dict[str, list[dict[str, Any]]] = {}
                for prefix in prefixes:
                    if not self.is_asked(question, prefix):
                        continue
                    answers = {**prefix, question.name: choice.value}
                    if reason := self.disabled_reason(choice, answers):
                        disabled.setdefault(reason, []).append(prefix)
                    else:
                        extended.append(answers)
                for reason, where in disabled.items():
                    yield Rule(question.name, choice.value, reason, _shared_by(where, prefixes))
            prefixes = extended + [p for p in prefixes if not self.is_asked(question, p)]

    def options(self, question: Question, answers: Mapping[str, Any]) -> list[Any]:
        """The values `question` may take with `answers`; empty when it is not asked."""
        if not self.is_asked(question, answers):
            return []
        return [
            choice.value
            for choice in question.choices
            if not self.disabled_reason(choice, {**answers, question.name: choice.value})
        ]


@dataclass(frozen=True)
class Rule:
    """A choice that some answers disable.

    Attributes:
        question: The question's name.
        value: The choice's value.
        reason: Why it cannot be taken (its validator's text).
        when: The answers it cannot be taken with; empty when it never can.
    """

    question: str
    value: Any
    reason: str
    when: dict[str, Any]

    def __str__(self) -> str:
        condition = ", ".join(f"{key}={value}" for key, value in self.when.items())
        return f"{self.question}={self.value}" + (f" with {condition}" if condition else "")


def _shared_by(where: list[dict[str, Any]], among: list[dict[str, Any]]) -> dict[str, Any]:
    """The answers every prefix of `where` shares that not every prefix of `among` does."""
    shared = dict(where[0]) if where else {}
    for prefix in where[1:]:
        shared = {key: value for key, value in shared.items() if prefix.get(key) == value}
    return {
        key: value
        for key, value in shared.items()
        if not all(prefix.get(key) == value for prefix in among)
    }
