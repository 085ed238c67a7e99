"""Check that the local Redis, RabbitMQ and PostgreSQL answer; skip or fail tests that need them."""

from __future__ import annotations

import os
import socket
import struct
from dataclasses import dataclass
from functools import cache

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
RABBITMQ_HOST, RABBITMQ_PORT = "127.0.0.1", 5672
RABBITMQ_USER, RABBITMQ_PASSWORD = "guest", "guest"
# AMQP 0-9-1 protocol header; a broker answers with a Connection.Start method frame (type 1).
AMQP_HEADER = b"AMQP\x00\x00\x09\x01"
POSTGRES_HOST, POSTGRES_PORT = "127.0.0.1", 5432
# A PostgreSQL SSLRequest: the server answers a single byte, S or N, before any authentication.
SSL_REQUEST = struct.pack("!ii", 8, 80877103)


def redis_answers(host: str = REDIS_HOST, port: int = REDIS_PORT, timeout: float = 2.0) -> bool:
    """Whether a Redis server at host:port answers PING (one try: nothing there is an answer)."""
    client = redis.Redis(
        host=host,
        port=port,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), retries=0),
    )
    try:
        with client:
            return bool(client.ping())
    except (redis.RedisError, OSError):
        return False


def _first_bytes(host: str, port: int, timeout: float, hello: bytes, count: int) -> bytes:
    """What a server at host:port answers to `hello`, at most `count` bytes (b"" if nothing)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.sendall(hello)
            return conn.recv(count)
    except OSError:
        return b""


def rabbitmq_answers(
    host: str = RABBITMQ_HOST, port: int = RABBITMQ_PORT, timeout: float = 3.0
) -> bool:
    """Whether an AMQP 0-9-1 broker at host:port starts the protocol handshake."""
    frame = _first_bytes(host, port, timeout, AMQP_HEADER, 7)
    return len(frame) == 7 and frame[0] == 1


def postgres_answers(
    host: str = POSTGRES_HOST, port: int = POSTGRES_PORT, timeout: float = 2.0
) -> bool:
    """Whether a PostgreSQL server at host:port answers the protocol's SSL request."""
    return _first_bytes(host, port, timeout, SSL_REQUEST, 1) in (b"S", b"N")


@dataclass(frozen=True)
class Service:
    """A local service some tests need."""

    name: str
    how_to_start: str


REDIS = Service("redis", "redis-server --daemonize yes --port 6379 (or bash .ci/run)")
RABBITMQ = Service("rabbitmq", "rabbitmq-server -detached (or bash .ci/run)")
_CHECKS = {"redis": redis_answers, "rabbitmq": rabbitmq_answers}


def services_required() -> bool:
    """Whether a missing service must fail the test run (`TQGEN_REQUIRE_SERVICES=1`, as in CI)."""
    return os.environ.get("TQGEN_REQUIRE_SERVICES", "") == "1"


def unavailable(what: str, reason: str) -> None:
    """Skip the current test, or fail it when services are required."""
    message = f"{what} is unavailable: {reason}"
    if services_required():
        pytest.fail(f"{message} (TQGEN_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(message)


@cache
def _answers_cached(name: str) -> bool:
    return _CHECKS[name]()


def require(service: Service) -> None:
    """Skip (or fail, when required) unless `service` answers; checked once per process."""
    if not _answers_cached(service.name):
        unavailable(service.name, f"nothing answers; start it with {service.how_to_start}")


def service_for_broker(broker: str) -> Service:
    """The local service that a generated project's broker choice needs."""
    return {"redis": REDIS, "rabbitmq": RABBITMQ}[broker]
