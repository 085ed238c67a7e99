"""Fixtures shared by tqgen's test tiers: the tagged template repository and rendered projects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.gitrepo import build_template_repo, isolated_git_env
from support.locking import BuildOnce, session_root
from support.paths import REPO_ROOT
from support.rendering import RenderedProjects

# The long tests, longest first: those that mostly wait (an outage, a redelivery delay, a stop),
# then the upgrade tests. They start first, so that they run while the other xdist workers run
# the rest, instead of at the end with every other worker idle (docs/testing.md, the budget).
LONG_FIRST = (
    "tests/e2e/test_workflow_runs.py",
    "tests/e2e/test_broker_outage.py",
    "tests/e2e/test_full_broker.py",
    "tests/e2e/test_worker_kill.py",
    "tests/e2e/test_idempotent_kill.py",
    "tests/e2e/test_poison_task.py",
    "tests/e2e/test_graceful_stop.py",
    "tests/e2e/test_redis_restart_mid_task.py",
    "tests/e2e/test_failing_task.py",
    "tests/e2e/test_workflow_without_docker.py",
    "tests/e2e/test_broker_restart.py",
    "tests/upgrade/test_update_e2e.py",
    "tests/upgrade/test_offline_update.py",
    "tests/upgrade/test_wheel.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the long tests first, in LONG_FIRST's order; the rest keep theirs."""
    rank = {path: index for index, path in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(LONG_FIRST)))


@pytest.fixture(scope="session")
def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory that every xdist worker of this session shares."""
    return session_root(tmp_path_factory)


@pytest.fixture(scope="session")
def isolated_git() -> Iterator[None]:
    """Keep git (also when Copier runs it in-process) away from user and system config."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in isolated_git_env().items():
            patch.setenv(key, value)
        yield


@pytest.fixture(scope="session")
def template_repo(shared_root: Path, isolated_git: None) -> Path:
    """copier.yml and templates/ from the working tree, committed and tagged in a fresh repo."""
    return BuildOnce(shared_root).get(
        "template-repo", lambda target: build_template_repo(REPO_ROOT, target)
    )


@pytest.fixture(scope="session")
def rendered_projects(template_repo: Path, shared_root: Path) -> RenderedProjects:
    """The session's cache of rendered projects, keyed by combination id."""
    return RenderedProjects(template_repo, BuildOnce(shared_root / "rendered"))
