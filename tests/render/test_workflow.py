"""The generated GitHub Actions workflows pass actionlint."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import yaml
from support.combinations import Combination
from support.services import unavailable
from support.tools import actionlint, actionlint_missing


class TestWorkflows:
    """`.github/workflows/*.yml` in a rendered project."""

    def test_actionlint(self, project: Path) -> None:
        """actionlint reports no problem in any workflow, and there is at least one."""
        workflows = sorted((project / ".github" / "workflows").glob("*.y*ml"))
        assert workflows, "no workflow rendered under .github/workflows"
        if reason := actionlint_missing():
            unavailable("actionlint", reason)
        result = actionlint(project, [w.relative_to(project) for w in workflows])
        assert result.returncode == 0, result.stdout + result.stderr


class TestWorkflowDatabase:
    """Django projects' CI runs the tests against a PostgreSQL service container."""

    def test_database_url_names_the_service(self, project: Path, combination: Combination) -> None:
        """DATABASE_URL points at the postgres service's port, user, password and database;
        projects without Django have neither."""
        workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
        test_job = workflow["jobs"]["test"]
        postgres = test_job.get("services", {}).get("postgres")
        url = test_job.get("env", {}).get("DATABASE_URL")
        if combination.web != "django":
            assert (postgres, url) == (None, None)
            return
        parsed = urlsplit(url)
        service = postgres["env"]
        assert parsed.scheme in {"postgres", "postgresql"}, url
        assert parsed.hostname == "localhost", url
        assert f"{parsed.port}:5432" in postgres["ports"], (url, postgres["ports"])
        assert (parsed.username, parsed.password, parsed.path.lstrip("/")) == (
            service["POSTGRES_USER"],
            service["POSTGRES_PASSWORD"],
            service["POSTGRES_DB"],
        ), (url, service)


def test_the_tests_run_after_the_lint(project: Path) -> None:
    """The test job waits for the lint job (lint, then the tests)."""
    workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
    assert workflow["jobs"]["test"].get("needs") == "lint"
