"""The RQ template as the tiers see it: hardened settings, services, worker and probe.

RQ imports a job's function by its dotted path in the job's (forked) process, so the probe
module only has to be importable there: the harness puts the project's `src/` on PYTHONPATH.
The failure hook for a killed job runs in the worker's main process, so the probe worker
command imports the probe there first (rq_probe/launcher.py), then runs the compose command
unchanged. The probe client (rq_probe/client.py) queues through the project's enqueue helper and
reads states through its seam.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from support.combinations import Combination
from support.frameworks.base import (
    Dashboard,
    MidTaskRestart,
    TaskQueueAdapter,
    generated_package,
    run_probe_client,
)
from support.hardening import HardenedSetting, Wiring
from support.selection import find

BROKERS = ("redis",)
PROBE_DIR = Path(__file__).parent / "rq_probe"
# A killed worker's job waits in the started registry until its entry expires (the job's last
# heartbeat + 60 s, hard-coded in RQ) and a worker's maintenance looks: these make the looks
# frequent, for hard-kill tests only (the README states the shipped delay, about 90 s).
FAST_RECOVERY = {
    "WORKER_MAINTENANCE_INTERVAL": "5",
    "WORKER_TTL": "20",
    "WORKER_JOB_MONITORING_INTERVAL": "2",
}

# rq-dashboard 0.9 (rq_dashboard/cli.py, add_basic_auth) checks RQ_DASHBOARD_USERNAME and
# RQ_DASHBOARD_PASSWORD before every request of its blueprint: every page, the JSON data and the
# job actions; only the static assets (/static/..., Flask's own route) answer without them, and
# the README documents no open path. It reads the Redis from RQ_DASHBOARD_REDIS_URL.
RQ_DASHBOARD = Dashboard(
    service="dashboard",
    guarded=("/", "/0/view/workers", "/0/view/jobs", "/0/data/queues.json", "/favicon.ico"),
)


def line(name: str, pattern: str, tests: str | None = None) -> HardenedSetting:
    """A hardened line of the generated code, matched by `pattern` (guarded by `tests`, when
    not by the configuration tests)."""
    return HardenedSetting(name, re.compile(pattern), BROKERS, tests=tests)


# The generated tests that send real signals to real worker processes.
WORKER_TESTS = "tests/test_worker.py"
# Each pattern matches the one line of a generated project that sets the default; deleting it
# must make the generated suite fail (the mutation test).
HARDENED = (
    line("SERIALIZER", r"^SERIALIZER\s*="),
    line("RETRY", r"^RETRY\s*="),
    line("JOB_TIMEOUT", r"^JOB_TIMEOUT\s*="),
    line("RESULT_TTL", r"^RESULT_TTL\s*="),
    line("FAILURE_TTL", r"^FAILURE_TTL\s*="),
    line("on_failure", r"^\s*\"on_failure\": Callback\("),
    line("unique job ids", r"^\s*\"unique\": options\.job_id is not None,"),
    line("arguments bound", r"^\s*inspect\.signature\(func\)\.bind\("),
    line("WORKER_REDIS_RETRY", r"^WORKER_REDIS_RETRY\s*="),
    line("worker retry", r"^\s*retry=WORKER_REDIS_RETRY,"),
    line("socket_keepalive", r"^\s*\"socket_keepalive\":"),
    line("health_check_interval", r"^\s*\"health_check_interval\":"),
    line("socket_timeout", r"^\s*\"socket_timeout\":"),
    line("socket_connect_timeout", r"^\s*\"socket_connect_timeout\":"),
    line("maintenance_interval", r"^\s*kwargs\[\"maintenance_interval\"\]"),
    line("worker_ttl", r"^\s*kwargs\[\"worker_ttl\"\]"),
    line("job_monitoring_interval", r"^\s*kwargs\[\"job_monitoring_interval\"\]"),
    line("log_killed_job", r"^\s*log_killed_job\(job, "),
    line("worker serializer", r"^\s*kwargs\[\"serializer\"\] = queues\.SERIALIZER"),
    line("worker connection", r"^\s*kwargs\[\"connection\"\] = connection = queues\.worker_redis"),
    line("max_connection_wait_time", r"^\s*self\.max_connection_wait_time\s*="),
    line("die_with_parent", r"^\s*die_with_parent\(\)$", WORKER_TESTS),
    line("STOP_DEADLINE", r"^STOP_DEADLINE\s*="),
    line("stop deadline timer", r"^\s*self\._stop_timer = threading\.Timer\(", WORKER_TESTS),
    line("register_again", r"^\s*self\._noting_errors\(self\.register_again, pipeline\)"),
    line("exit 1", r"^\s*raise SystemExit\(1\)"),
)
DJANGO_HARDENED = (
    line("RQ_QUEUES SERIALIZER", r"^\s*\"SERIALIZER\": queues\.SERIALIZER"),
    line("RQ_QUEUES URL", r"^\s*\"URL\": _with_client_options\("),
    line("RQ WORKER_CLASS", r"^RQ\s*=\s*\{\"WORKER_CLASS\""),
    # Django's database connections.
    line("CONN_MAX_AGE", r"^\s*conn_max_age="),
    line("CONN_HEALTH_CHECKS", r"^\s*conn_health_checks="),
)
STANDALONE_HARDENED = (line("with_scheduler", r"^\s*worker\.work\(with_scheduler=True"),)
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


class RqAdapter(TaskQueueAdapter):
    """RQ: Redis only; settings in queues.py, settings.py, worker.py and Django's RQ_QUEUES."""

    name: ClassVar[str] = "rq"
    ready_log: ClassVar[str] = "*** Listening on"
    unit: ClassVar[str] = "job"
    units: ClassVar[str] = "jobs"
    definitions: ClassVar[str] = "jobs"
    probe_files: ClassVar[tuple[Path, ...]] = (PROBE_DIR / "tqgen_probe.py",)

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
            RQ_DASHBOARD.service: options.get("monitoring", True),
            "rabbitmq": False,
        }

    def dashboard(self, combination: Combination) -> Dashboard | None:
        """rq-dashboard, unless monitoring is switched off."""
        return RQ_DASHBOARD if combination.data.get("monitoring", True) else None

    def option_variants(self, combinations: Sequence[Combination]) -> list[Combination]:
        """No periodic jobs on the CLI project, no dashboard on Django."""
        return [
            find(combinations, broker="redis", web="none").with_options(periodic_tasks=False),
            find(combinations, broker="redis", web="django").with_options(monitoring=False),
        ]

    def probe_worker_command(self, project: Path, env: Mapping[str, str]) -> list[str]:
        """The compose worker command, run by a launcher that imports the probe first."""
        python, *args = self.worker_command(project, env)
        return [python, "-P", str(PROBE_DIR / "launcher.py"), *args]

    def fast_redelivery_env(self, broker: str) -> dict[str, str]:
        """Frequent maintenance and heartbeats: a killed worker's job back in about 70 s."""
        return dict(FAST_RECOVERY)

    def killed_worker_rerun_within(self, combination: Combination) -> float | None:
        """The started registry's entry expires (the 60 s RQ adds, the worker intervals in
        settings.py), maintenance requeues the job by its Retry, 10 s later it runs: 2 minutes."""
        return 120.0

    def redis_restart_mid_task(self, combination: Combination) -> MidTaskRestart | None:
        """None: the worker no longer exits. Its own connection retries each command for about
        two minutes (`WORKER_REDIS_RETRY` in queues.py) and a lost heartbeat no longer ends its
        loop, so the running job goes on and finishes once Redis is back (measured: a 70 s
        outage mid-job, 6 of 6 jobs done 5 s after Redis returned); the broker-restart test
        checks that work queued before a restart is all done after it."""
        return None

    def failure_logger(self, project: Path) -> str:
        """The hooks live in `<module>/failures.py` and log on its module's logger."""
        return f"{generated_package(project)}.failures"

    def send(
        self,
        project: Path,
        env: Mapping[str, str],
        probe: str,
        args: Sequence[Any],
        count: int = 1,
        quick_retry: bool = False,
    ) -> list[str]:
        """Queue `count` probe jobs `tqgen_probe.<probe>(*args)` through the project's enqueue
        helper; `quick_retry` keeps its Retry's bound with 1 s between attempts."""
        command = ["send", probe, str(count), json.dumps(list(args)), "1" if quick_retry else "0"]
        ids: list[str] = json.loads(self.probe_client(project, env, command, timeout=60))
        return ids

    def probe_client(
        self, project: Path, env: Mapping[str, str], args: list[str], timeout: float
    ) -> str:
        """Run the probe client with the project's Python."""
        client = ["python", "-P", str(PROBE_DIR / "client.py"), *args]
        return run_probe_client(project, client, args[0], env, timeout)

    def scheduler_service(self, combination: Combination) -> str | None:
        """The cron scheduler, with periodic jobs."""
        return "scheduler" if combination.data.get("periodic_tasks", True) else None
