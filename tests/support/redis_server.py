"""A Redis server of the test's own: a free port, its own directory, restartable, always removed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import redis

from support.processes import ProcessGroup, free_port, start, wait_until
from support.services import redis_answers, unavailable

HOST = "127.0.0.1"
START_TIMEOUT = 30


class RedisServer:
    """`redis-server` started with given flags, on a free port, with its data in `directory`."""

    def __init__(self, flags: Sequence[str], directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        # Later flags win: the port, the address and the data directory are the test's own.
        self.args = [*flags, "--port", str(self.port), "--bind", HOST, "--dir", str(directory)]
        self.group: ProcessGroup | None = None

    def url(self, db: int = 0) -> str:
        """The redis:// URL of database `db` on this server."""
        return f"redis://{HOST}:{self.port}/{db}"

    def start(self) -> None:
        """Start the server and wait until it answers PING."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.group = start(self.args, self.directory, os.environ, self.directory / "server.log")
        wait_until(lambda: redis_answers(HOST, self.port), START_TIMEOUT, f"Redis on {self.port}")

    def restart(self) -> None:
        """SHUTDOWN NOSAVE (what survives is what the flags persist), then start again."""
        with redis.Redis(host=HOST, port=self.port, socket_timeout=10) as client:
            client.shutdown(nosave=True)
        if self.group is not None:
            self.group.process.wait(timeout=START_TIMEOUT)
        self.start()

    def kill(self) -> None:
        """SIGKILL the server's process group (a no-op when it is not running)."""
        if self.group is not None:
            self.group.kill()

    def log(self) -> str:
        """The server's log so far."""
        return self.group.output() if self.group else ""


@contextmanager
def own_redis_server(flags: Sequence[str], directory: Path) -> Iterator[RedisServer]:
    """A started `RedisServer`; killed and its directory removed afterwards, whatever happens."""
    if shutil.which(flags[0]) is None:
        unavailable(flags[0], "not on PATH; the broker-restart test starts a Redis of its own")
    server = RedisServer(flags, directory)
    try:
        server.start()
        yield server
    finally:
        server.kill()
        shutil.rmtree(directory, ignore_errors=True)
