"""A minimal RESP client, so the harness can talk to Redis without importing redis-py."""

from __future__ import annotations

import socket
from typing import Any

from support.services import REDIS_HOST, REDIS_PORT


class RedisError(RuntimeError):
    """Redis answered with an error reply."""


class RedisClient:
    """One connection to one Redis database; use as a context manager."""

    def __init__(self, db: int, host: str = REDIS_HOST, port: int = REDIS_PORT) -> None:
        self.conn = socket.create_connection((host, port), timeout=10)
        self.reader = self.conn.makefile("rb")
        self.execute("SELECT", str(db))

    def __enter__(self) -> RedisClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.reader.close()
        self.conn.close()

    def execute(self, *args: str) -> Any:
        """Send one command and return its decoded reply."""
        encoded = [arg.encode() for arg in args]
        request = b"*%d\r\n" % len(encoded) + b"".join(
            b"$%d\r\n%s\r\n" % (len(arg), arg) for arg in encoded
        )
        self.conn.sendall(request)
        return self._reply()

    def _reply(self) -> Any:
        line = self.reader.readline().rstrip(b"\r\n")
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            return None if size < 0 else self.reader.read(size + 2)[:-2].decode()
        if kind == b"*":
            count = int(rest)
            return None if count < 0 else [self._reply() for _ in range(count)]
        raise RedisError(f"unexpected reply {line!r}")
