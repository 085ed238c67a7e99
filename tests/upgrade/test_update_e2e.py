"""An updated project still installs, lints and passes its own tests against a real broker."""

from __future__ import annotations

import pytest
from support.brokers import isolated_broker_if_any
from support.combinations import Combination
from support.frameworks import adapter_for
from support.gitrepo import git
from support.upgrade import (
    NEW_FILE,
    assert_user_edits_kept,
    edit_like_a_user,
    generate,
    updated_suite_cases,
)
from support.uvenv import run_in_project, uv_sync
from typer.testing import CliRunner

from tqgen.cli import app

runner = CliRunner()


@pytest.mark.e2e
@pytest.mark.usefixtures("installed_tqgen")
class TestUpdatedProjectWorks:
    @pytest.mark.parametrize("combination", updated_suite_cases(), ids=lambda c: c.id)
    def test_suite_passes_after_update_and_conflict_resolution(self, combination: Combination):
        """Edit, update across releases, resolve the reported conflict: ruff and pytest pass."""
        answers = [
            argument
            for key, value in combination.answers.items()
            if key != "framework"
            for argument in ("--data", f"{key}={value}")
        ]
        project = generate(*answers, framework=combination.framework)
        edit_like_a_user(project)
        result = runner.invoke(app, ["update", str(project)])
        assert result.exit_code == 6, result.output
        # Resolve README.md the way a user keeping the template's side would.
        git(project, "checkout", "--theirs", "--", "README.md")
        git(project, "add", "--all")
        git(project, "commit", "--quiet", "--message", "Update the template")
        assert_user_edits_kept(project)
        assert (project / NEW_FILE).is_file()

        uv_sync(project)
        for check in (["ruff", "check"], ["ruff", "format", "--check"]):
            completed = run_in_project(project, check)
            assert completed.returncode == 0, completed.stdout + completed.stderr
        with isolated_broker_if_any(combination.broker) as target:
            env = adapter_for(combination.framework).suite_env(target)
            completed = run_in_project(project, ["pytest", "-q"], env=env)
        assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
