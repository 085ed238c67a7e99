"""What each template's hardened delivery settings cost: the generated bench, run per broker.

Usage: python benchmarks/template_costs.py [--units N] [--runs N] [--json PATH] [--framework F]
       [--each]

For every framework whose projects ship `python -m <package>.bench` and each of its brokers, renders
the project (defaults otherwise), installs it (`uv sync`) and runs its bench N times against the
local broker, in a namespace of its own (a Redis database or a RabbitMQ vhost, flushed). Prints
the median of each figure as the Markdown table the template's README partial (`costs()`) shows,
with the machine; --json writes every run. Not part of the test suite; needs the test extra, Redis
and RabbitMQ on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from support.combinations import REPO_ROOT, Combination, supported_combinations
from support.frameworks import adapter_for
from support.rendering import render_with_api
from support.uvenv import run_in_project, uv_sync
from tqgen_costs import broker_env, machine

BENCH = "bench.py.jinja"
WORKLOADS = ("no-op", "10 ms")
FIGURES = ("per_second", "p50_ms", "p99_ms")
# Prints the report in the file named by its argument as the project's bench does (its
# `table`, or `each_table` for the profiles of --each).
TABLE = (
    "import json, sys; from {module}.bench import {table}; "
    "print({table}(json.load(open(sys.argv[1]))))"
)


def has_bench(framework: str) -> bool:
    """Whether the framework's projects ship `python -m <package>.bench`."""
    return (REPO_ROOT / "templates" / framework / "src" / "{{ module_name }}" / BENCH).exists()


def benched() -> list[Combination]:
    """One combination per framework with a bench and broker: no web app, defaults otherwise."""
    return [
        combination
        for combination in supported_combinations()
        if has_bench(combination.framework) and combination.web == "none"
    ]


def bench_module(project: Path) -> str:
    """The package of the project that holds its bench."""
    return next(path.parent.name for path in project.glob("src/*/bench.py"))


def run_bench(
    project: Path, framework: str, env: dict[str, str], units: int, scratch: Path, each: bool
) -> dict[str, Any]:
    """One run of the project's bench; its JSON report."""
    report = scratch / "bench.json"
    module = bench_module(project)
    units_option = f"--{adapter_for(framework).units}"  # --tasks, --jobs, --messages
    command = ["python", "-m", f"{module}.bench", units_option, str(units), "--json", str(report)]
    command += ["--each"] if each else []
    completed = run_in_project(project, command, env, timeout=1800)
    if completed.returncode != 0:
        raise SystemExit(f"the bench failed in {project}:\n{completed.stderr[-3000:]}")
    return dict(json.loads(report.read_text())["profiles"])


def median_report(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The bench's report, each figure the median over the runs (every profile they ran)."""
    return {
        profile: {
            "workloads": {
                workload: {
                    figure: statistics.median(
                        run[profile]["workloads"][workload][figure] for run in runs
                    )
                    for figure in FIGURES
                }
                for workload in WORKLOADS
            }
        }
        for profile in runs[0]
    }


def bench_table(project: Path, report: dict[str, Any], scratch: Path, table: str = "table") -> str:
    """The report as the project's own bench prints it (its `table` or `each_table`)."""
    path = scratch / "median.json"
    path.write_text(json.dumps(report))
    table = TABLE.format(module=bench_module(project), table=table)
    completed = run_in_project(project, ["python", "-c", table, str(path)], timeout=120)
    if completed.returncode != 0:
        raise SystemExit(f"the bench's table failed in {project}:\n{completed.stderr[-3000:]}")
    return completed.stdout.rstrip()


def main() -> int:
    """Bench every combination, print the tables and the machine."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=500, help="per workload (default 500)")
    parser.add_argument("--runs", type=int, default=3, help="bench runs per broker (default 3)")
    parser.add_argument("--json", type=Path, help="also write every run to this file")
    parser.add_argument(
        "--framework", action="append", help="only this framework (repeatable; default: all)"
    )
    parser.add_argument(
        "--each", action="store_true", help="also each stock value alone (the bench's --each)"
    )
    args = parser.parse_args()
    results: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="tqgen-template-costs-") as scratch_dir:
        scratch = Path(scratch_dir)
        chosen = [c for c in benched() if not args.framework or c.framework in args.framework]
        for combination in chosen:
            print(f"{combination.id}: rendering and installing", file=sys.stderr)
            project = render_with_api(REPO_ROOT, scratch / combination.id, combination.data)
            uv_sync(project)
            runs = []
            for run in range(1, args.runs + 1):
                print(f"{combination.id}: bench run {run}/{args.runs}", file=sys.stderr)
                with broker_env(combination) as env:
                    runs.append(
                        run_bench(
                            project, combination.framework, env, args.units, scratch, args.each
                        )
                    )
            results[combination.id] = runs
            print(f"\n{combination.id}, medians of {args.runs} runs of {args.units} units:\n")
            medians = median_report(runs)
            print(bench_table(project, medians, scratch))
            if args.each:
                print("\n" + bench_table(project, medians, scratch, "each_table"))
    print(f"\nmachine: {machine()}")
    if args.json:
        payload = {"machine": machine(), "units": args.units, "runs": results}
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
