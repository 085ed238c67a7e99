"""Time rendering each supported combination, `tqgen new` and `tqgen --help`, over N runs.

Usage: python benchmarks/render_speed.py [--runs N]

Renders from a tagged snapshot of this checkout (as the test harness does) in a temporary
directory with Copier's API, then runs the installed `tqgen new` (a fresh process each time, so
imports count) with and without git, and prints a table of wall-clock times. Nothing asserts on
these numbers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.combinations import REPO_ROOT, supported_combinations
from support.gitrepo import build_template_repo, isolated_git_env
from support.rendering import render_with_api


def time_runs(action: Callable[[int], object], runs: int) -> list[float]:
    """Wall-clock seconds of `action(run_number)` for each run."""
    timings = []
    for run in range(runs):
        start = time.perf_counter()
        action(run)
        timings.append(time.perf_counter() - start)
    return timings


def row(name: str, timings: list[float]) -> str:
    """One table row: name, runs, then min / median / max in milliseconds."""
    ms = [t * 1000 for t in timings]
    return f"{name:<36} {len(ms):>4} {min(ms):>9.1f} {statistics.median(ms):>9.1f} {max(ms):>9.1f}"


def tqgen_command() -> list[str] | None:
    """The installed `tqgen` entry point next to this interpreter, else on PATH, else None."""
    beside = Path(sys.executable).with_name("tqgen")
    found = str(beside) if beside.exists() else shutil.which("tqgen")
    return [found] if found else None


def main() -> None:
    """Build the template snapshot, time every render, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5)")
    runs = parser.parse_args().runs
    os.environ.update(isolated_git_env())
    print(f"{'measurement':<36} {'runs':>4} {'min ms':>9} {'median ms':>9} {'max ms':>9}")
    with tempfile.TemporaryDirectory(prefix="tqgen-bench-") as scratch:
        repo = build_template_repo(REPO_ROOT, Path(scratch) / "template")
        for combination in supported_combinations():
            target = Path(scratch) / combination.id

            def render(run: int, target: Path = target, data: dict = combination.data) -> None:
                render_with_api(repo, target / str(run), data)

            print(row(f"render {combination.id}", time_runs(render, runs)), flush=True)
    command = tqgen_command()
    if command is None:
        print("tqgen --help: skipped (tqgen is not installed)")
        return

    def help_output(_run: int) -> None:
        subprocess.run([*command, "--help"], check=True, capture_output=True)

    print(row("tqgen --help", time_runs(help_output, runs)))
    with tempfile.TemporaryDirectory(prefix="tqgen-bench-") as scratch:
        repo = build_template_repo(REPO_ROOT, Path(scratch) / "template")
        env = {**os.environ, "TQGEN_TEMPLATE": str(repo), "COPIER_SETTINGS_PATH": os.devnull}
        for label, flags in (("tqgen new --no-git", ["--no-git"]), ("tqgen new (git)", [])):

            def new(run: int, flags: list[str] = flags, label: str = label) -> None:
                name = f"p{run}{'n' if flags else 'g'}"
                subprocess.run(
                    [*command, "new", name, "--defaults", "-o", scratch, *flags],
                    check=True,
                    capture_output=True,
                    env=env,
                )

            print(row(label, time_runs(new, runs)), flush=True)


if __name__ == "__main__":
    main()
