"""The generated GitHub Actions workflows pass actionlint."""

from __future__ import annotations

from pathlib import Path

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
