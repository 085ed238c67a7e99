from __future__ import annotations

import re
import sys
from pathlib import Path

import copier
import pytest
from support.paths import REPO_ROOT

from tqgen.catalog import COMBINATION_KEYS, Catalog
from tqgen.errors import InvalidAnswerError
from tqgen.template_source import copy_templates

# The shape copier.yml's validator demands before it looks a name up.
NAME_SHAPE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(REPO_ROOT)


class TestCombinations:
    def test_every_web_framework_is_offered_with_each_broker_of_its_framework(
        self, catalog: Catalog
    ):
        """Celery and Dramatiq take Redis or RabbitMQ, RQ only Redis, each with every web
        choice; Airflow serves its own web app, and only its celery executor takes a broker."""
        combos = {
            (c["framework"], c.get("executor"), c.get("broker"), c["web"])
            for c in catalog.combinations()
        }
        webs = ("none", "django", "flask", "fastapi")
        brokers = ("redis", "rabbitmq")
        assert combos == {
            *(("celery", None, broker, web) for broker in brokers for web in webs),
            *(("rq", None, "redis", web) for web in webs),
            *(("dramatiq", None, broker, web) for broker in brokers for web in webs),
            ("airflow", "local", None, "none"),
            *(("airflow", "celery", broker, "none") for broker in brokers),
        }

    def test_every_rule_of_copier_yml_is_listed_with_its_reason(self, catalog: Catalog):
        """The rules `tqgen list` shows: unavailable frameworks, brokers and result backends,
        each with the answers it applies to."""
        rules = {(r.question, r.value): (r.when, r.reason) for r in catalog.rules()}
        assert set(rules) == {
            ("broker", "rabbitmq"),
            ("broker", "kafka"),
            ("result_backend", "rpc"),
            *(("web", web) for web in ("django", "flask", "fastapi")),
        }
        assert rules[("web", "fastapi")][0] == {"framework": "airflow"}
        assert rules[("broker", "rabbitmq")] == ({"framework": "rq"}, "RQ works only with Redis")
        assert rules[("broker", "kafka")][0] == {}
        assert "offset" in rules[("broker", "kafka")][1]
        assert rules[("result_backend", "rpc")][0] == {"framework": "celery"}

    def test_reasons_name_no_other_framework(self, catalog: Catalog):
        """A reason shown under a framework is true for it: Kafka's names no Celery library."""
        [kafka] = [choice for choice in catalog["broker"].choices if choice.value == "kafka"]
        for framework in ("celery", "rq"):
            assert "kombu" not in catalog.disabled_reason(kafka, {"framework": framework})

    def test_rq_cannot_use_rabbitmq(self, catalog: Catalog):
        """The broker validator rejects RabbitMQ for RQ, whatever else is chosen."""
        broker = catalog["broker"]
        rabbitmq = next(choice for choice in broker.choices if choice.value == "rabbitmq")
        assert catalog.disabled_reason(rabbitmq, {"framework": "rq"}) == "RQ works only with Redis"
        assert catalog.disabled_reason(rabbitmq, {"framework": "celery"}) == ""


class TestDefaults:
    def test_every_question_has_an_explicit_default(self, catalog: Catalog):
        """A question without a default would turn an option off when an update adds it."""
        missing = [question.name for question in catalog.questions if question.default is None]
        assert missing == []

    def test_every_default_is_a_valid_answer(self, catalog: Catalog):
        """In every combination, --defaults picks only enabled choices and valid answers."""
        rejected: list[str] = []
        checked: set[str] = set()
        for combination in catalog.combinations():
            answers: dict[str, object] = {"project_name": "demo", **combination}
            for question in catalog.questions:
                if question.name in answers or not catalog.is_asked(question, answers):
                    continue
                answers[question.name] = catalog.default(question, answers)
                checked.add(question.name)
                try:
                    catalog.check(question, answers[question.name], answers)
                except InvalidAnswerError as error:
                    rejected.append(f"{combination}: {error}")
        assert rejected == []
        asked = {question.name for question in catalog.questions if question.when is not False}
        assert checked == asked - {"project_name", *COMBINATION_KEYS}


class TestProjectName:
    @pytest.mark.parametrize("name", ["demo", "my-tasks", "my_tasks", "a1", "x" * 40])
    def test_accepts_lowercase_identifiers_and_dashed_names(self, catalog: Catalog, name: str):
        """Lowercase names, with words joined by '-' or '_', are accepted."""
        catalog.check(catalog["project_name"], name, {})

    @pytest.mark.parametrize(
        ("name", "reason"),
        [
            ("", "must not be empty"),
            ("a/b", "path separator"),
            ("a\\b", "path separator"),
            ("x" * 41, "at most 40"),
            ("1demo", "must not start with a digit"),
            ("Demo", "lowercase"),
            ("my--tasks", "lowercase"),
            ("demo-", "lowercase"),
            ("class", "Python keyword"),
            ("celery", "shadow"),
            ("config", "shadow"),
            ("collections", "standard-library"),
            ("fakeredis", "imports or installs"),
            ("gunicorn", "imports or installs"),
            ("con", "reserved device name on Windows"),
            ("nul", "reserved device name on Windows"),
            ("com1", "reserved device name on Windows"),
            ("lpt9", "reserved device name on Windows"),
        ],
    )
    def test_rejects_unusable_names_with_the_reason(self, catalog: Catalog, name: str, reason: str):
        """Names that cannot become an importable, unshadowed package are rejected, saying why."""
        with pytest.raises(InvalidAnswerError, match=reason):
            catalog.check(catalog["project_name"], name, {})

    def test_every_standard_library_module_name_is_refused(self, catalog: Catalog):
        """No project name may shadow a module of the standard library of the running Python."""
        shaped = [name for name in sys.stdlib_module_names if NAME_SHAPE.fullmatch(name)]
        accepted = []
        for name in shaped:
            try:
                catalog.check(catalog["project_name"], name, {})
            except InvalidAnswerError:
                continue
            accepted.append(name)
        assert len(shaped) > 150
        assert accepted == []

    def test_plain_copier_refuses_the_same_names(self, tmp_path: Path):
        """Copier itself (no tqgen) validates with the same list in copier.yml."""
        template = copy_templates(REPO_ROOT, tmp_path / "template")
        with pytest.raises(ValueError, match="'collections' would shadow"):
            copier.run_copy(
                str(template),
                tmp_path / "out",
                data={"project_name": "collections"},
                defaults=True,
                quiet=True,
                settings=copier.Settings(),
            )
        assert not (tmp_path / "out").exists()

    def test_module_name_is_derived_from_the_project_name(self, catalog: Catalog):
        """The package name replaces dashes with underscores."""
        question = catalog["module_name"]
        assert catalog.default(question, {"project_name": "my-tasks"}) == "my_tasks"


class TestCoercion:
    @pytest.mark.parametrize(("raw", "expected"), [("yes", True), ("false", False), (True, True)])
    def test_bool_answers_accept_yaml_words(self, catalog: Catalog, raw: object, expected: bool):
        """Boolean questions take the words YAML and Copier take."""
        assert catalog["monitoring"].coerce(raw) is expected

    def test_bool_answers_reject_other_words(self, catalog: Catalog):
        """A word that is neither true nor false is an error, not silently False."""
        with pytest.raises(InvalidAnswerError, match="expected true or false"):
            catalog["monitoring"].coerce("maybe")
