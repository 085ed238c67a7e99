"""The harness's service checks tell a listening broker or database from anything else."""

from __future__ import annotations

import pytest
from support.databases import require_postgres
from support.processes import free_port
from support.services import (
    REDIS,
    REDIS_PORT,
    postgres_answers,
    rabbitmq_answers,
    redis_answers,
    require,
    unavailable,
)


class TestServiceChecks:
    """Socket-level checks for Redis and RabbitMQ."""

    def test_nothing_listening(self) -> None:
        """A port nobody listens on answers neither as Redis nor as RabbitMQ."""
        port = free_port()
        assert not redis_answers(port=port)
        assert not rabbitmq_answers(port=port)

    def test_redis_is_not_rabbitmq(self) -> None:
        """A Redis server does not pass for an AMQP broker."""
        require(REDIS)
        assert not rabbitmq_answers(port=REDIS_PORT, timeout=1)

    def test_postgres_answers(self) -> None:
        """The local PostgreSQL answers; nothing listening, and a Redis server, do not."""
        require_postgres()
        assert postgres_answers()
        assert not postgres_answers(port=free_port())
        require(REDIS)
        assert not postgres_answers(port=REDIS_PORT, timeout=1)

    def test_required_services_fail_instead_of_skipping(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With TQGEN_REQUIRE_SERVICES=1 a missing service fails the test rather than skip it."""
        monkeypatch.setenv("TQGEN_REQUIRE_SERVICES", "1")
        with pytest.raises(pytest.fail.Exception, match="TQGEN_REQUIRE_SERVICES"):
            unavailable("broker", "not running")
        monkeypatch.delenv("TQGEN_REQUIRE_SERVICES")
        with pytest.raises(pytest.skip.Exception):
            unavailable("broker", "not running")
