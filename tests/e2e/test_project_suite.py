"""Each generated project installs with uv and passes its own ruff and pytest against a broker."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support.brokers import BrokerTarget
from support.frameworks import FrameworkAdapter
from support.uvenv import run_in_project, uv_binary

pytestmark = pytest.mark.e2e

# Seconds after which a generated test counts as stuck: well past the slowest (the bench, ~20 s
# under CI load), well within run_in_project's timeout.
STUCK_AFTER = 240


class TestGeneratedProject:
    """The generated project's own tools, run from its own virtual environment."""

    def test_ruff_check(self, installed_project: Path) -> None:
        """The project's pinned ruff reports nothing."""
        result = run_in_project(installed_project, ["ruff", "check", "--no-cache", "."])
        assert result.returncode == 0, result.stdout + result.stderr

    def test_ruff_format(self, installed_project: Path) -> None:
        """The project's pinned ruff would reformat nothing."""
        result = run_in_project(installed_project, ["ruff", "format", "--check", "--no-cache", "."])
        assert result.returncode == 0, result.stdout + result.stderr

    def test_the_lock_written_by_the_first_sync_is_accepted(self, installed_project: Path) -> None:
        """After `uv sync` (the README's first step), the Dockerfile's and CI's `uv sync --locked`
        install from the lock it wrote: the project resolves the same way twice."""
        result = run_in_project(installed_project, [uv_binary(), "sync", "--locked"])
        assert result.returncode == 0, result.stdout + result.stderr

    def test_pytest_against_real_broker(
        self, installed_project: Path, adapter: FrameworkAdapter, broker_target: BrokerTarget | None
    ) -> None:
        """The whole generated suite passes with a real broker required (TEST_REQUIRE_BROKER=1),
        where the project has a broker."""
        # A test stuck for STUCK_AFTER seconds gets every thread's stack printed (pytest's
        # faulthandler), so a hang shows where it is instead of only that the suite timed out.
        command = ["python", "-m", "pytest", "-p", "no:cacheprovider", "-q"]
        command += ["-o", f"faulthandler_timeout={STUCK_AFTER}"]
        try:
            env = adapter.suite_env(broker_target)
            result = run_in_project(installed_project, command, env=env)
        except subprocess.TimeoutExpired as stuck:
            pytest.fail(f"the suite timed out; its output so far:\n{output_of(stuck)}")
        # The output's end holds the ERRORS and FAILURES sections, a thread's traceback included.
        assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-3000:]


def output_of(stuck: subprocess.TimeoutExpired) -> str:
    """The end of what a timed-out command printed (bytes, even when it was run with text)."""
    out, err = (
        part.decode(errors="replace") if isinstance(part, bytes) else part or ""
        for part in (stuck.stdout, stuck.stderr)
    )
    return out[-3000:] + "\n" + err[:12000]  # a stack dump starts with the stuck thread
