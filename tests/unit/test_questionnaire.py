from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from support.paths import REPO_ROOT

from tqgen.catalog import Catalog, Question
from tqgen.errors import InvalidAnswerError, NoTerminalError, UnknownQuestionError
from tqgen.questionnaire import resolve


@pytest.fixture(scope="module")
def catalog(tiny_template: Path) -> Catalog:
    return Catalog.load(tiny_template)


class ScriptedAsker:
    """Answers from a script and records what it was asked, in order."""

    def __init__(self, script: Mapping[str, Any]) -> None:
        self.script = dict(script)
        self.asked: list[str] = []

    def ask(self, question: Question, default: Any, answers: Mapping[str, Any]) -> Any:
        self.asked.append(question.name)
        return self.script.get(question.name, default)


class TestResolve:
    def test_defaults_fill_every_question_copier_asks(self, catalog: Catalog):
        """With --defaults, every asked question gets its default and derived ones are left out."""
        answers = resolve(catalog, {"project_name": "demo"}, use_defaults=True, asker=None)
        assert answers == {
            "project_name": "demo",
            "description": "About demo",
            "framework": "alpha",
            "broker": "red",
            "store": "red",
            "web": "none",
            "size": 3,
            "periodic": True,
            "monitoring": True,
        }

    def test_only_questions_not_given_are_asked(self, catalog: Catalog):
        """Given answers are never asked again; the rest are asked in copier.yml's order."""
        asker = ScriptedAsker({"web": "spider"})
        answers = resolve(
            catalog,
            {"project_name": "demo", "broker": "blue", "monitoring": "no"},
            use_defaults=False,
            asker=asker,
        )
        assert asker.asked == ["description", "framework", "store", "web", "size", "periodic"]
        assert answers["web"] == "spider"
        assert answers["broker"] == "blue"
        assert answers["monitoring"] is False

    def test_missing_answer_without_terminal_names_the_question(self, catalog: Catalog):
        """Without a terminal, the first unanswered question is named with the ways to answer it."""
        with pytest.raises(NoTerminalError, match=r"'description'.*--defaults.*--data"):
            resolve(catalog, {"project_name": "demo"}, use_defaults=False, asker=None)

    def test_unknown_question_is_rejected(self, catalog: Catalog):
        """A --data key that copier.yml does not define is an error, not silently ignored."""
        with pytest.raises(UnknownQuestionError, match="unknown question 'colour'"):
            resolve(catalog, {"project_name": "d", "colour": "red"}, use_defaults=True, asker=None)

    def test_derived_question_cannot_be_set(self, catalog: Catalog):
        """module_name follows project_name and cannot be answered directly."""
        with pytest.raises(UnknownQuestionError, match="derived"):
            resolve(
                catalog, {"project_name": "d", "module_name": "x"}, use_defaults=True, asker=None
            )

    def test_impossible_combination_is_rejected_with_the_validator_reason(self, catalog: Catalog):
        """A disabled choice fails with the reason copier.yml gives for it."""
        with pytest.raises(InvalidAnswerError, match="store 'slow' is not available: slow needs"):
            resolve(
                catalog,
                {"project_name": "d", "broker": "blue", "store": "slow"},
                use_defaults=True,
                asker=None,
            )

    def test_user_defaults_replace_template_defaults(self, catalog: Catalog):
        """Defaults from the user's Copier settings win over the template's, when asked for."""
        answers = resolve(
            catalog,
            {"project_name": "demo"},
            use_defaults=True,
            asker=None,
            user_defaults={"web": "spider"},
        )
        assert answers["web"] == "spider"

    def test_an_answer_to_a_question_not_asked_is_rejected(self):
        """Copier would render with an answer to a question it does not ask, without recording
        it: a broker for Airflow's local executor is an error, not silently ignored."""
        with pytest.raises(
            InvalidAnswerError, match="'broker' is not asked with framework=airflow, executor=local"
        ):
            resolve(
                Catalog.load(REPO_ROOT),
                {"project_name": "d", "framework": "airflow", "broker": "rabbitmq"},
                use_defaults=True,
                asker=None,
            )
