"""Give an end-to-end test a PostgreSQL database of its own on the local server, dropped after.

The local server is the one `.ci/run` starts: 127.0.0.1:5432, user `postgres`, trust
authentication. The harness talks to it with the `psql` client. A test skips when nothing
answers, or fails instead under TQGEN_REQUIRE_SERVICES=1, as for the brokers.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from support.locking import xdist_worker
from support.services import POSTGRES_HOST, POSTGRES_PORT, postgres_answers, unavailable

POSTGRES_USER = "postgres"
HOW_TO_START = "pg_ctlcluster <version> main start (or bash .ci/run)"


@cache
def _postgres_answers_cached() -> bool:
    return postgres_answers()


def require_postgres() -> None:
    """Skip (or fail, when services are required) unless the local PostgreSQL and psql are there."""
    if not _postgres_answers_cached():
        unavailable("postgresql", f"nothing answers; start it with {HOW_TO_START}")
    if shutil.which("psql") is None:
        unavailable(
            "postgresql", "the psql client is not on PATH (apt-get install postgresql-client)"
        )


def psql(sql: str, database: str = "postgres") -> str:
    """Run one SQL command as the local superuser; its output, unaligned. Raises when it fails."""
    args = ["psql", "-h", POSTGRES_HOST, "-p", str(POSTGRES_PORT), "-U", POSTGRES_USER]
    completed = subprocess.run(
        [*args, "-d", database, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t", "-c", sql],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"psql -c {sql!r} failed: {completed.stderr}")
    return completed.stdout.strip()


@dataclass(frozen=True)
class DatabaseTarget:
    """One test's database on the local PostgreSQL.

    Attributes:
        name: the database's name.
    """

    name: str

    @property
    def url(self) -> str:
        """The DATABASE_URL a generated Django project reads."""
        return f"postgresql://{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/{self.name}"

    def env(self) -> dict[str, str]:
        """The environment pointing a generated Django project at this database."""
        return {"DATABASE_URL": self.url}

    def query(self, sql: str) -> str:
        """Run one SQL command in this database; its output."""
        return psql(sql, database=self.name)


@contextmanager
def isolated_database() -> Iterator[DatabaseTarget]:
    """A new, uniquely named database, dropped when the block ends.

    pytest-django creates `test_<name>` beside it for the generated suite and drops it when the
    suite ends; it is dropped here too, in case the suite was killed before it could.
    """
    require_postgres()
    target = DatabaseTarget(f"tqgen_{xdist_worker()}_{uuid.uuid4().hex[:8]}")
    psql(f'CREATE DATABASE "{target.name}"')
    try:
        yield target
    finally:
        for name in (target.name, f"test_{target.name}"):
            psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
