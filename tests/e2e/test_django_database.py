"""Django projects on a PostgreSQL database of the test's own: migrate, then the whole suite.

compose.yaml gives every Django service one PostgreSQL through DATABASE_URL; the generated suite
runs on SQLite unless DATABASE_URL is set. This runs the migrate service's command and the suite
against a real PostgreSQL, where the suite's PostgreSQL-only test (a connection the server
dropped) runs too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.brokers import BrokerTarget
from support.combinations import Combination
from support.compose import command, load_compose
from support.databases import isolated_database
from support.tiers import e2e_combinations
from support.uvenv import run_in_project

pytestmark = pytest.mark.e2e

DJANGO = [combination for combination in e2e_combinations() if combination.web == "django"]


@pytest.mark.parametrize("combination", DJANGO, ids=[c.id for c in DJANGO])
def test_migrate_then_suite_on_postgres(
    combination: Combination, installed_project: Path, broker_target: BrokerTarget
) -> None:
    """The compose migrate command creates the tables; the suite passes, skipping nothing."""
    with isolated_database() as database:
        env = {**broker_target.env(), **database.env()}
        migrate = run_in_project(
            installed_project, command(load_compose(installed_project), "migrate"), env
        )
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        assert database.query("SELECT to_regclass('django_content_type') IS NOT NULL") == "t"

        suite = run_in_project(
            installed_project,
            ["python", "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs"],
            env,
        )
        output = suite.stdout[-6000:] + suite.stderr[-3000:]
        assert suite.returncode == 0, output
        assert not re.search(r"\b\d+ skipped\b", suite.stdout), output
