"""What tqgen costs its user, each figure a ratio to a baseline measured in the same run.

Usage: python benchmarks/tqgen_costs.py [--runs N] [--green-runs N] [--json PATH]

Measures, as medians of N runs (a fresh process each time, the baseline and the subject taking
turns so that drift hits both):

- `tqgen --help` against `python -c "import typer"`;
- `tqgen new --no-git` of each framework's largest option set (the supported combination with
  the most rendered files, periodic tasks and monitoring on where offered) against plain
  `copier copy --defaults --data ... --vcs-ref HEAD` of the same answers and template snapshot;
- `tqgen update` against plain `copier update --defaults` of the same project (the largest
  Celery one, edited and committed as a user would) from an older to a newer template release;
- time to green per framework: `tqgen new` (with its first commit), `uv sync` with a warm uv
  cache, and the generated suite (`uv run pytest`) with its local broker (a Redis database or a
  RabbitMQ vhost of its own, flushed) and without one (the broker tests skip). There is no
  generator to compare against, so the ratio is the way to green with the broker against the
  suite without a broker, and the seconds are printed with the machine.

Prints a progress line per step on stderr and Markdown tables on stdout; --json writes every
timing. Projects live in a temporary directory removed afterwards. Needs the test extra
(`pip install -e '.[test]'`) and, for the suites with a broker, Redis on 127.0.0.1:6379 (and
RabbitMQ on 127.0.0.1:5672 for a RabbitMQ combination). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.brokers import isolated_broker
from support.combinations import REPO_ROOT, Combination, by_framework, supported_combinations
from support.gitrepo import build_template_repo, isolated_git_env
from support.rendering import project_files, render_with_api
from support.services import REDIS, require, service_for_broker
from support.upgrade import NEW_FILE, Releases, edit_like_a_user, make_releases
from support.uvenv import project_env, uv_binary

from tqgen.template_source import TEMPLATE_ENV
from tqgen.versioning import URL_ENV

# Where nothing listens: the generated suites skip their broker tests against it.
NO_BROKER = "redis://127.0.0.1:1/0"
# Extra answers that add files, where copier.yml offers them.
OPTIONS: Mapping[str, Callable[[str], bool]] = {
    "periodic_tasks": lambda framework: framework in {"celery", "rq", "dramatiq"},
    "monitoring": lambda framework: framework in {"celery", "rq"},
}


@dataclass
class Comparison:
    """One subject timed against its baseline, run for run.

    Attributes:
        name: What is measured.
        baseline: What it is measured against.
        subject_s: Seconds of each run of the subject.
        baseline_s: Seconds of each run of the baseline.
    """

    name: str
    baseline: str
    subject_s: list[float] = field(default_factory=list)
    baseline_s: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """Median of the subject over median of the baseline."""
        return statistics.median(self.subject_s) / statistics.median(self.baseline_s)


@dataclass
class Green:
    """Time to green of one framework's largest combination, seconds per step and run.

    Attributes:
        combination: The combination's id.
        steps: Seconds of each run, by step (new, sync, suite with broker, suite without).
        failures: What failed (a suite that did not pass), one line each.
        summaries: pytest's last summary line, by suite step.
    """

    combination: str
    steps: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    summaries: dict[str, str] = field(default_factory=dict)

    def median(self, step: str) -> float:
        """The median seconds of `step`."""
        return statistics.median(self.steps[step])

    def total(self, suite_step: str) -> float:
        """New, sync and `suite_step`: the medians added up."""
        return sum(self.median(step) for step in ("new", "sync", suite_step))


WITH, WITHOUT = "suite with broker", "suite without broker"
GREEN_STEPS = ("new", "sync", WITH, WITHOUT)


def progress(message: str) -> None:
    """One line on stderr."""
    print(f"[tqgen_costs] {message}", file=sys.stderr, flush=True)


def timed(
    args: Sequence[str], cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> float:
    """Wall-clock seconds of running `args`; raises with its output when it fails."""
    start = time.perf_counter()
    completed = subprocess.run(
        list(args),
        cwd=cwd,
        env=None if env is None else dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}")
    return elapsed


def tqgen_command() -> list[str]:
    """The installed `tqgen` entry point next to this interpreter, else on PATH."""
    beside = Path(sys.executable).with_name("tqgen")
    found = str(beside) if beside.exists() else shutil.which("tqgen")
    if found is None:
        raise SystemExit("tqgen is not installed: pip install -e '.[test]'")
    return [found]


def data_args(flag: str, data: Mapping[str, Any]) -> list[str]:
    """`flag key=value` for every answer (booleans as copier.yml spells them)."""

    def spelled(value: Any) -> str:
        return str(value).lower() if isinstance(value, bool) else str(value)

    return [arg for key, value in data.items() for arg in (flag, f"{key}={spelled(value)}")]


def answers(combination: Combination) -> dict[str, Any]:
    """The combination's answers without the project name (the directory gives it)."""
    return {key: value for key, value in combination.data.items() if key != "project_name"}


def with_all_options(combination: Combination) -> Combination:
    """The combination with every file-adding option that its framework offers turned on."""
    offered = {name: True for name, offers in OPTIONS.items() if offers(combination.framework)}
    return combination.with_options(**offered)


def largest_per_framework(repo: Path, scratch: Path) -> list[Combination]:
    """Each framework's combination with the most rendered files (Redis first on a tie)."""
    chosen = []
    for framework, combinations in by_framework(supported_combinations()).items():
        counted = []
        for combination in map(with_all_options, combinations):
            target = render_with_api(repo, scratch / combination.id, combination.data)
            files = len(list(project_files(target)))
            shutil.rmtree(target)
            counted.append((files, combination.broker == "redis", combination))
        files, _, best = max(counted, key=lambda entry: entry[:2])
        progress(f"{framework}: largest is {best.id} ({files} files)")
        chosen.append(best)
    return chosen


def compare(
    comparison: Comparison,
    runs: int,
    subject: Callable[[int], float],
    baseline: Callable[[int], float],
) -> Comparison:
    """Time baseline then subject, `runs` times each, into `comparison`."""
    for run in range(runs):
        comparison.baseline_s.append(baseline(run))
        comparison.subject_s.append(subject(run))
        progress(
            f"{comparison.name}: run {run + 1}/{runs} {comparison.subject_s[-1]:.2f} s, "
            f"{comparison.baseline}: {comparison.baseline_s[-1]:.2f} s"
        )
    return comparison


def measure_help(runs: int) -> Comparison:
    """`tqgen --help` against importing Typer."""
    tqgen = tqgen_command()
    return compare(
        Comparison("tqgen --help", 'python -c "import typer"'),
        runs,
        lambda _run: timed([*tqgen, "--help"]),
        lambda _run: timed([sys.executable, "-c", "import typer"]),
    )


def copier_env(scratch: Path) -> dict[str, str]:
    """Isolated git and an empty Copier settings file, for tqgen and Copier alike."""
    settings = scratch / "copier-settings.yml"
    settings.write_text("defaults: {}\ntrust: []\n")
    return {**os.environ, **isolated_git_env(), "COPIER_SETTINGS_PATH": str(settings)}


def measure_new(combination: Combination, repo: Path, scratch: Path, runs: int) -> Comparison:
    """`tqgen new --no-git` against `copier copy` of the same answers from the same snapshot."""
    env = {**copier_env(scratch), TEMPLATE_ENV: str(repo)}
    out = scratch / f"new-{combination.id}"
    tqgen = [*tqgen_command(), "new", "--defaults", "--no-git", "-o", str(out)]
    copier = [sys.executable, "-m", "copier", "copy", "--defaults", "--quiet", "--vcs-ref", "HEAD"]

    def subject(run: int) -> float:
        return timed([*tqgen, *data_args("-d", answers(combination)), f"t{run}"], env=env)

    def baseline(run: int) -> float:
        args = [*copier, *data_args("--data", combination.data), str(repo), str(out / f"c{run}")]
        return timed(args, env=env)

    try:
        return compare(
            Comparison(f"tqgen new --no-git {combination.id}", "copier copy --vcs-ref HEAD"),
            runs,
            subject,
            baseline,
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)


def release_env(scratch: Path, releases: Releases) -> dict[str, str]:
    """Environment of an installed tqgen: the older release's plain copy, the repository URL."""
    return {
        **copier_env(scratch),
        TEMPLATE_ENV: str(releases.installed_copy),
        URL_ENV: str(releases.repo),
    }


def measure_update(combination: Combination, repo: Path, scratch: Path, runs: int) -> Comparison:
    """`tqgen update` against `copier update` of copies of one edited project."""
    releases = make_releases(repo, scratch / "releases")
    env = release_env(scratch, releases)
    base = scratch / "update" / "base"
    base.parent.mkdir(parents=True)
    command = [*tqgen_command(), "new", "--defaults", "-o", str(base.parent)]
    timed([*command, *data_args("-d", answers(combination)), base.name], env=env)
    edit_like_a_user(base, touch_readme_title=False)
    copier = [sys.executable, "-m", "copier", "update", "--defaults", "--quiet"]

    def fresh_copy(name: str) -> Path:
        target = base.parent / name
        shutil.rmtree(target, ignore_errors=True)
        return Path(shutil.copytree(base, target, symlinks=True))

    def updated(project: Path, seconds: float) -> float:
        if not (project / NEW_FILE).is_file():
            raise RuntimeError(f"the update left {project} without {NEW_FILE}")
        return seconds

    def subject(run: int) -> float:
        project = fresh_copy(f"t{run}")
        return updated(project, timed([*tqgen_command(), "update", str(project)], env=env))

    def baseline(run: int) -> float:
        project = fresh_copy(f"c{run}")
        return updated(project, timed(copier, cwd=project, env=env))

    return compare(
        Comparison(f"tqgen update {combination.id}", "copier update"), runs, subject, baseline
    )


def user_env(project: Path, extra: Mapping[str, str]) -> dict[str, str]:
    """A user's shell in the project: the shared warm uv cache, bytecode beside the sources."""
    env = project_env(project, extra)
    env.pop("PYTHONPYCACHEPREFIX", None)
    return env


@contextmanager
def broker_env(combination: Combination) -> Iterator[dict[str, str]]:
    """The generated suite's broker variables: a namespace of its own on the local broker."""
    if combination.broker == "none":
        yield {}
        return
    try:
        require(REDIS)
        require(service_for_broker(combination.broker))
    except (pytest.skip.Exception, pytest.fail.Exception) as unavailable:
        raise SystemExit(f"{unavailable}; or leave time to green out: --green-runs 0") from None
    with isolated_broker(combination.broker) as target:
        yield target.env()


def no_broker_env() -> dict[str, str]:
    """Broker variables that point where nothing answers, so the broker tests skip."""
    return {"BROKER_URL": NO_BROKER, "RESULT_BACKEND_URL": NO_BROKER}


def suite(project: Path, env: Mapping[str, str], green: Green, label: str) -> float:
    """Seconds of `uv run pytest -q` in the project; a failure is noted, not raised."""
    start = time.perf_counter()
    completed = subprocess.run(
        [uv_binary(), "run", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=user_env(project, env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    summary = (completed.stdout.strip().splitlines() or ["no output"])[-1]
    green.summaries[label] = summary
    if completed.returncode != 0:
        green.failures.append(f"{label}: exit {completed.returncode}: {summary}")
    return elapsed


def green_run(combination: Combination, repo: Path, out: Path, green: Green) -> dict[str, float]:
    """One time to green: new, sync, the suite with and without the broker; seconds by step."""
    env = {**copier_env(out.parent), TEMPLATE_ENV: str(repo)}
    new = [*tqgen_command(), "new", "--defaults", "-o", str(out.parent)]
    seconds = {"new": timed([*new, *data_args("-d", answers(combination)), out.name], env=env)}
    seconds["sync"] = timed([uv_binary(), "sync"], cwd=out, env=user_env(out, {}))
    with broker_env(combination) as broker:
        seconds[WITH] = suite(out, broker, green, WITH)
    seconds[WITHOUT] = suite(out, no_broker_env(), green, WITHOUT)
    return seconds


def measure_green(combination: Combination, repo: Path, scratch: Path, runs: int) -> Green:
    """Time to green of `combination`, after one untimed new + sync that warms the uv cache."""
    green = Green(combination.id, {step: [] for step in GREEN_STEPS})
    warm = scratch / "green-warm" / "warm"
    warm.parent.mkdir(parents=True)
    env = {**copier_env(warm.parent), TEMPLATE_ENV: str(repo)}
    new = [*tqgen_command(), "new", "--defaults", "--no-git", "-o", str(warm.parent)]
    timed([*new, *data_args("-d", answers(combination)), warm.name], env=env)
    timed([uv_binary(), "sync"], cwd=warm, env=user_env(warm, {}))
    shutil.rmtree(warm.parent)
    for run in range(runs):
        out = scratch / f"green-{run}" / "g"
        out.parent.mkdir(parents=True)
        for step, seconds in green_run(combination, repo, out, green).items():
            green.steps[step].append(seconds)
        shutil.rmtree(out.parent)
        done = ", ".join(f"{step} {values[-1]:.1f} s" for step, values in green.steps.items())
        progress(f"time to green {combination.id}: run {run + 1}/{runs}: {done}")
    return green


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "nproc": os.cpu_count(),
        "machine": platform.machine(),
        "system": platform.system(),
        "python": platform.python_version(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def comparison_table(comparisons: Sequence[Comparison]) -> str:
    """Markdown: each subject, its baseline, their medians and the ratio."""
    lines = [
        "| measurement | baseline | runs | median s | baseline median s | ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for c in comparisons:
        lines.append(
            f"| `{c.name}` | `{c.baseline}` | {len(c.subject_s)} "
            f"| {statistics.median(c.subject_s):.2f} | {statistics.median(c.baseline_s):.2f} "
            f"| {c.ratio:.2f} |"
        )
    return "\n".join(lines)


def green_table(greens: Sequence[Green]) -> str:
    """Markdown: time to green by step, the totals, and the total over the brokerless suite."""
    header = " | ".join(f"{step} s" for step in GREEN_STEPS)
    lines = [
        f"| time to green | runs | {header} | total with broker s | total without broker s "
        "| total with broker / suite without broker |",
        "| --- | ---: |" + " ---: |" * (len(GREEN_STEPS) + 3),
    ]
    for g in greens:
        steps = " | ".join(f"{g.median(step):.1f}" for step in GREEN_STEPS)
        ratio = g.total(WITH) / g.median(WITHOUT)
        lines.append(
            f"| `{g.combination}` | {len(g.steps['new'])} | {steps} | {g.total(WITH):.1f} "
            f"| {g.total(WITHOUT):.1f} | {ratio:.2f} |"
        )
    return "\n".join(lines)


def report(
    comparisons: Sequence[Comparison], greens: Sequence[Green], info: Mapping[str, Any]
) -> str:
    """The Markdown tables with the machine they were measured on."""
    parts = [
        comparison_table(comparisons),
        "Medians; ratio = median of the measurement / median of its baseline, both in this run.",
    ]
    if greens:
        parts += [
            green_table(greens),
            "Time to green: `tqgen new` (with git) + `uv sync` (warm cache) + `uv run pytest`, "
            "with the local broker (run first, so it pays the project's first bytecode "
            "compilation) or without one (its tests skip). No generator to compare "
            "against: the ratio is how many times the generated suite without a broker the "
            "whole way to green with the broker takes; the seconds are this machine's.",
        ]
        notes = [
            f"- `{g.combination}` {step}, last run: {summary}"
            for g in greens
            for step, summary in g.summaries.items()
        ]
        notes += [f"- FAILED `{g.combination}` {failure}" for g in greens for failure in g.failures]
        parts.append("\n".join(notes))
    start, end = (
        " / ".join(map(str, info[key])) for key in ("load_average_at_start", "load_average")
    )
    parts.append(
        f"Measured {info['date']} on {info['nproc']} cores ({info['system']} {info['machine']}), "
        f"Python {info['python']}; load (1/5/15 min) {start} at the start, {end} at the end."
    )
    return "\n\n".join(parts)


def parse_args() -> argparse.Namespace:
    """--runs, --green-runs, --json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument(
        "--green-runs",
        type=int,
        default=None,
        help="runs of each time to green (default: --runs; 0 leaves it out)",
    )
    parser.add_argument("--json", type=Path, default=None, help="write every timing here")
    return parser.parse_args()


def main() -> None:
    """Build the template snapshot, measure everything, print the tables, write the JSON."""
    options = parse_args()
    runs = options.runs
    green_runs = runs if options.green_runs is None else options.green_runs
    os.environ.update(isolated_git_env())
    start = machine()
    with tempfile.TemporaryDirectory(prefix="tqgen-costs-") as scratch_dir:
        scratch = Path(scratch_dir)
        progress("building the template snapshot")
        repo = build_template_repo(REPO_ROOT, scratch / "template")
        largest = largest_per_framework(repo, scratch / "count")
        comparisons = [measure_help(runs)]
        comparisons += [measure_new(c, repo, scratch, runs) for c in largest]
        comparisons.append(measure_update(largest[0], repo, scratch, runs))
        greens = [measure_green(c, repo, scratch, green_runs) for c in largest if green_runs]
    info = {**machine(), "load_average_at_start": start["load_average"]}
    print(report(comparisons, greens, info))
    if options.json:
        document = {
            "machine": info,
            "runs": runs,
            "comparisons": [{**asdict(c), "ratio": c.ratio} for c in comparisons],
            "time_to_green": [
                {
                    **asdict(g),
                    "total_with_broker_s": g.total(WITH),
                    "total_without_s": g.total(WITHOUT),
                }
                for g in greens
            ],
        }
        options.json.write_text(json.dumps(document, indent=2) + "\n")
        progress(f"wrote {options.json}")


if __name__ == "__main__":
    main()
