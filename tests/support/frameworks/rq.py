"""The RQ template as the tiers see it: hardened settings, services, worker and probe.

RQ imports a job's function by its dotted path in the job's (forked) process, so the probe
module only has to be importable there: the harness puts the project's `src/` on PYTHONPATH.
The failure hook for a killed job runs in the worker's main process, so the probe worker
command imports the probe there first, then runs the compose command unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from support.combinations import Combination
from support.frameworks.base import FrameworkAdapter, generated_package
from support.hardening import HardenedSetting, Wiring
from support.selection import find
from support.uvenv import run_in_project

BROKERS = ("redis",)
PROBE_MODULE = "tqgen_probe"
# A killed worker's job waits in the started registry until its entry expires (the job's last
# heartbeat + 60 s, hard-coded in RQ) and a worker's maintenance looks: these make the looks
# frequent, for hard-kill tests only (the README states the shipped delay, about 90 s).
FAST_RECOVERY = {
    "WORKER_MAINTENANCE_INTERVAL": "5",
    "WORKER_TTL": "20",
    "WORKER_JOB_MONITORING_INTERVAL": "2",
}


def line(name: str, pattern: str) -> HardenedSetting:
    """A hardened line of the generated code, matched by `pattern`."""
    return HardenedSetting(name, re.compile(pattern), BROKERS)


# Each pattern matches the one line of a generated project that sets the default; deleting it
# must make the generated suite fail (the mutation test).
HARDENED = (
    line("SERIALIZER", r"^SERIALIZER\s*="),
    line("RETRY", r"^RETRY\s*="),
    line("JOB_TIMEOUT", r"^JOB_TIMEOUT\s*="),
    line("RESULT_TTL", r"^RESULT_TTL\s*="),
    line("FAILURE_TTL", r"^FAILURE_TTL\s*="),
    line("on_failure", r"^\s*on_failure=Callback\("),
    line("socket_keepalive", r"^\s*\"socket_keepalive\":"),
    line("health_check_interval", r"^\s*\"health_check_interval\":"),
    line("socket_timeout", r"^\s*\"socket_timeout\":"),
    line("socket_connect_timeout", r"^\s*\"socket_connect_timeout\":"),
    line("maintenance_interval", r"^\s*kwargs\[\"maintenance_interval\"\]"),
    line("worker_ttl", r"^\s*kwargs\[\"worker_ttl\"\]"),
    line("job_monitoring_interval", r"^\s*kwargs\[\"job_monitoring_interval\"\]"),
    line("log_killed_job", r"^\s*log_killed_job\(job, "),
)
DJANGO_HARDENED = (
    line("RQ_QUEUES SERIALIZER", r"^\s*\"SERIALIZER\": queues\.SERIALIZER"),
    line("RQ_QUEUES URL", r"^\s*\"URL\": _with_client_options\("),
    line("RQ WORKER_CLASS", r"^RQ\s*=\s*\{\"WORKER_CLASS\""),
    # Django's database connections.
    line("CONN_MAX_AGE", r"^\s*conn_max_age="),
    line("CONN_HEALTH_CHECKS", r"^\s*conn_health_checks="),
)
STANDALONE_HARDENED = (
    line("with_scheduler", r"^\s*build_worker\(\)\.work\(with_scheduler=True\)"),
)
# Django: a job is enqueued only when the transaction that made its rows commits; the edit
# that undoes it enqueues at once.
WIRING = (
    Wiring(
        "enqueue_on_commit",
        re.compile(r"transaction\.on_commit\(partial\(queues\.enqueue, (.*)\)\)"),
        r"queues.enqueue(\1)",
        ("django",),
        "tests/test_web.py",
    ),
)

PROBE_SOURCE = '''\
"""Probe jobs written into a generated project by tqgen's harness for crash tests.

The worker imports them by their path (the project's src/ is on PYTHONPATH). Each records what
it did in the Redis database TQGEN_PROBE_REDIS_URL names; TQGEN_PROBE_MODULE names the
generated package (its idempotency helper and its failure hook's logger).
"""

import importlib
import json
import logging
import os
import signal
import time

import redis
from rq import get_current_job

PACKAGE = os.environ.get("TQGEN_PROBE_MODULE", "")


def _records() -> redis.Redis:
    return redis.Redis.from_url(os.environ["TQGEN_PROBE_REDIS_URL"])


def _wait_for_gate(client: redis.Redis, gate: str, timeout: float) -> None:
    """Return once the key `gate` exists; `timeout` bounds a job nobody releases.

    A job process whose worker was killed exits too, as it would with its container: on the
    host it would live on in its own process group and finish the job.
    """
    parent = os.getppid()
    deadline = time.monotonic() + timeout
    while not client.exists(gate):
        if time.monotonic() > deadline:
            raise TimeoutError(f"nobody opened the gate {gate!r}")
        time.sleep(0.05)
    # The gate opens only after the worker was stopped or killed: look once it is open.
    if os.getppid() != parent:
        os._exit(1)


class _RedisLogHandler(logging.Handler):
    """Appends each final-failure record of the hook's logger to a Redis list for the test."""

    def emit(self, record: logging.LogRecord) -> None:
        entry = {"logger": record.name, "level": record.levelname, "message": record.getMessage()}
        _records().rpush(f"tqgen-probe-log:{record.name}", json.dumps(entry))


# The hook logs every failed attempt at WARNING and the final failure at ERROR.
_handler = _RedisLogHandler(level=logging.ERROR)
logging.getLogger(f"{PACKAGE}.failures").addHandler(_handler)


def _job_id() -> str:
    job = get_current_job()
    assert job is not None
    return job.id


def record_and_wait(key: str, gate: str, timeout: float) -> str:
    """Append this job's id to the Redis list `key`, then wait until the key `gate` exists."""
    client = _records()
    client.rpush(key, _job_id())
    _wait_for_gate(client, gate, timeout)
    return _job_id()


def kill_own_process(key: str) -> None:
    """Record this run in the Redis list `key`, then SIGKILL the process running the job."""
    job = get_current_job()
    assert job is not None
    max_retries = job.retries_left if job.retries_left is not None else 0
    start = {"id": job.id, "retries_left": job.retries_left, "max_retries": max_retries}
    client = _records()
    if not client.exists(f"{key}:max"):
        client.set(f"{key}:max", max_retries)
    start["max_retries"] = int(client.get(f"{key}:max"))
    client.rpush(key, json.dumps(start))
    os.kill(os.getpid(), signal.SIGKILL)


def always_raise(key: str) -> None:
    """Record this attempt in the Redis list `key`, then fail as a broken job does."""
    job = get_current_job()
    assert job is not None
    _records().rpush(key, json.dumps({"id": job.id, "retries_left": job.retries_left}))
    raise RuntimeError(f"tqgen probe: fails every time ({key})")


def idempotent_side_effect(key: str, gate: str, timeout: float) -> str:
    """Inside the project's `run_once` block: record `started`, wait for `gate`, record `done`."""
    run_once = importlib.import_module(f"{PACKAGE}.idempotency").run_once
    client = _records()
    with run_once(f"tqgen-probe:{key}", owner=_job_id(), ttl=600) as first_time:
        if not first_time:
            return "skipped"
        client.rpush(f"{key}:started", _job_id())
        _wait_for_gate(client, gate, timeout)
        client.rpush(f"{key}:done", _job_id())
    return "done"
'''

# Run with the project's Python, PYTHONPATH=src: submit probe jobs through the project's own
# enqueue helper, or read their states through its seam.
CLIENT_SOURCE = """\
import importlib
import json
import os
import sys
import time

from rq import Retry

package = os.environ["TQGEN_PROBE_MODULE"]
queues = importlib.import_module(f"{package}.queues")
jobs = importlib.import_module(f"{package}.jobs")
probe = importlib.import_module("tqgen_probe")

command = sys.argv[1]
if command == "send":
    name, count, args = sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
    if sys.argv[5] == "1":
        # The project's bound; only the wait between attempts is shortened.
        queues.RETRY = Retry(max=queues.RETRY.max, interval=1)
    ids = [queues.enqueue(getattr(probe, name), *args).id for _ in range(count)]
    print(json.dumps(ids))
elif command == "wait":
    deadline = time.monotonic() + float(sys.argv[2])
    outcome = {}
    for job_id in sys.argv[3:]:
        while True:
            state = jobs.job_state(job_id)
            if state.state in ("SUCCESS", "FAILURE") or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        result = state.result if state.result is not None else state.error
        outcome[job_id] = {"state": state.state, "result": result}
    print(json.dumps(outcome))
else:
    raise SystemExit(f"unknown command {command!r}")
"""

# Imports the probe in the worker's main process, then runs the compose command as if it had
# been started itself: `python -m <module> ...` or `python <script> ...`.
LAUNCHER_SOURCE = """\
import runpy, sys
import tqgen_probe
args = sys.argv[1:]
if args[0] == "-m":
    sys.argv = [args[1], *args[2:]]
    runpy.run_module(args[1], run_name="__main__", alter_sys=True)
else:
    sys.argv = args
    runpy.run_path(args[0], run_name="__main__")
"""


class RqAdapter(FrameworkAdapter):
    """RQ: Redis only; settings in queues.py, settings.py, worker.py and Django's RQ_QUEUES."""

    name: ClassVar[str] = "rq"

    def hardened_settings(self, combination: Combination) -> tuple[HardenedSetting, ...]:
        """The lines above; Django's RQ settings, or the standalone worker's scheduler."""
        extra = DJANGO_HARDENED if combination.web == "django" else STANDALONE_HARDENED
        return (*HARDENED, *extra)

    def wiring(self, combination: Combination) -> tuple[Wiring, ...]:
        """The wiring above, that of the combination's web choice."""
        return tuple(w for w in WIRING if combination.web in w.webs)

    def compose_services(self, combination: Combination) -> Mapping[str, bool]:
        """Redis and the worker; web, scheduler and dashboard when chosen."""
        options = combination.data
        return {
            "redis": True,
            "worker": True,
            "web": combination.web != "none",
            "scheduler": options.get("periodic_tasks", True),
            "dashboard": options.get("monitoring", True),
            "rabbitmq": False,
        }

    def option_variants(self, combinations: Sequence[Combination]) -> list[Combination]:
        """No periodic jobs on the CLI project, no dashboard on Django."""
        return [
            find(combinations, broker="redis", web="none").with_options(periodic_tasks=False),
            find(combinations, broker="redis", web="django").with_options(monitoring=False),
        ]

    def install_probe(self, project: Path) -> None:
        """Write the probe module into `src/`, where the worker imports jobs from."""
        (project / "src" / f"{PROBE_MODULE}.py").write_text(PROBE_SOURCE)

    def probe_worker_command(self, project: Path, env: Mapping[str, str]) -> list[str]:
        """The compose worker command, run by a launcher that imports the probe first."""
        python, *args = self.worker_command(project, env)
        return [python, "-c", LAUNCHER_SOURCE, *args]

    def fast_redelivery_env(self, broker: str) -> dict[str, str]:
        """Frequent maintenance and heartbeats: a killed worker's job back in about 70 s."""
        return dict(FAST_RECOVERY)

    def submit_probe(
        self, project: Path, env: Mapping[str, str], key: str, gate: str, timeout: float, count: int
    ) -> list[str]:
        """Queue `tqgen_probe.record_and_wait` through the project's enqueue helper."""
        return self._send(project, env, "record_and_wait", [key, gate, timeout], count)

    def submit_poison(self, project: Path, env: Mapping[str, str], key: str) -> str:
        """Queue `tqgen_probe.kill_own_process`, its retries 1 s apart (the bound unchanged)."""
        return self._send(project, env, "kill_own_process", [key], quick_retry=True)[0]

    def killed_worker_rerun_within(self, combination: Combination) -> float | None:
        """The started registry's entry expires (the 60 s RQ adds, the worker intervals in
        settings.py), maintenance requeues the job by its Retry, 10 s later it runs: 2 minutes."""
        return 120.0

    def submit_failing(self, project: Path, env: Mapping[str, str], key: str) -> str:
        """Queue `tqgen_probe.always_raise`, its retries 1 s apart (the bound unchanged)."""
        return self._send(project, env, "always_raise", [key], quick_retry=True)[0]

    def submit_idempotent(
        self, project: Path, env: Mapping[str, str], key: str, gate: str, timeout: float
    ) -> str:
        """Queue `tqgen_probe.idempotent_side_effect` through the project's enqueue helper."""
        return self._send(project, env, "idempotent_side_effect", [key, gate, timeout])[0]

    def failure_logger(self, project: Path) -> str:
        """The hooks live in `<module>/failures.py` and log on its module's logger."""
        return f"{generated_package(project)}.failures"

    def _send(
        self,
        project: Path,
        env: Mapping[str, str],
        job: str,
        args: list[Any],
        count: int = 1,
        quick_retry: bool = False,
    ) -> list[str]:
        """Queue `count` probe jobs `tqgen_probe.<job>(*args)`; return their ids."""
        command = ["send", job, str(count), json.dumps(args), "1" if quick_retry else "0"]
        ids: list[str] = json.loads(self.probe_client(project, env, command, timeout=60))
        return ids

    def probe_client(
        self, project: Path, env: Mapping[str, str], args: list[str], timeout: float
    ) -> str:
        """Run the probe client with the project's Python."""
        result = run_in_project(project, ["python", "-c", CLIENT_SOURCE, *args], env, timeout)
        if result.returncode != 0:
            raise RuntimeError(f"probe client {args[0]} failed:\n{result.stderr[-3000:]}")
        return result.stdout
