"""The harness's combination choices cover what each tier promises, for any framework shape."""

from __future__ import annotations

import itertools

import pytest
from support.combinations import Combination
from support.names import LONG_NAME
from support.selection import covering, find, named_in_turn, one_per_broker


def _product(brokers: list[str], webs: list[str]) -> list[Combination]:
    return [
        Combination({"framework": "fw", "broker": broker, "web": web})
        for broker, web in itertools.product(brokers, webs)
    ]


class TestCovering:
    """`covering` picks few combinations but leaves no broker or web choice out."""

    @pytest.mark.parametrize(
        ("brokers", "webs"),
        [
            (["redis", "rabbitmq"], ["none", "django", "flask", "fastapi"]),
            (["redis"], ["none", "django", "flask", "fastapi"]),
            (["redis", "rabbitmq", "sqs"], ["none"]),
        ],
        ids=["celery-like", "redis-only", "cli-only"],
    )
    def test_every_broker_and_web_once(self, brokers: list[str], webs: list[str]) -> None:
        """Each broker and each web choice appears, in max(brokers, webs) combinations."""
        picked = covering(_product(brokers, webs))
        assert {c.broker for c in picked} == set(brokers)
        assert {c.web for c in picked} == set(webs)
        assert len(picked) == max(len(brokers), len(webs))

    def test_brokers_alternate(self) -> None:
        """Web choices are spread over the brokers rather than all put on the first."""
        picked = covering(_product(["redis", "rabbitmq"], ["none", "django", "flask", "fastapi"]))
        assert [c.broker for c in picked] == ["redis", "rabbitmq", "redis", "rabbitmq"]


class TestOnePerBroker:
    """`one_per_broker` gives each broker one combination, the preferred web choice first."""

    def test_preferred_web_first(self) -> None:
        """The first combination uses the preferred web choice; every broker appears once."""
        picked = one_per_broker(_product(["redis", "rabbitmq"], ["none", "django"]), "django")
        assert picked[0].web == "django"
        assert sorted(c.broker for c in picked) == ["rabbitmq", "redis"]


class TestNamesAndLookup:
    """Names are handed out in turn; a lookup that finds no combination says so."""

    def test_names_in_turn(self) -> None:
        """The names repeat in order over the combinations."""
        named = named_in_turn(_product(["redis"], ["none", "flask", "django"]), [LONG_NAME, "a"])
        assert [c.project_name for c in named] == [LONG_NAME, "a", LONG_NAME]
        assert named[1].id == "fw-redis-flask-name=a"

    def test_find_missing(self) -> None:
        """Looking up answers copier.yml does not support raises with the answers named."""
        with pytest.raises(LookupError, match="broker=kafka"):
            find(_product(["redis"], ["none"]), broker="kafka")
