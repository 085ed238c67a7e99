"""The Dramatiq template as the tiers see it: hardened settings, services, worker and probe.

Dramatiq's worker (`dramatiq <package>.actors ...`) imports the modules named on its command
line in every worker process, so the probe worker command names the probe module after the
project's actors (`tqgen_probe`, copied into `src/`, which the harness puts on PYTHONPATH); the
probe imports the project's broker module first, as the project's own actor modules do. The
probe client (dramatiq_probe/client.py) sends through the project's broker and reads states
through its seam.
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

BROKERS = ("redis", "rabbitmq")
PROBE_DIR = Path(__file__).parent / "dramatiq_probe"
# Redis: a killed worker's messages are requeued once its heartbeat is older than
# BROKER_HEARTBEAT_TIMEOUT, found by maintenance on BROKER_MAINTENANCE_CHANCE in a million broker
# calls; these make it 3 s and every call, for hard-kill tests only (the README states the
# shipped delay, about 40 s). RabbitMQ returns a dead connection's messages at once.
FAST_RECOVERY = {"BROKER_HEARTBEAT_TIMEOUT": "3000", "BROKER_MAINTENANCE_CHANCE": "1000000"}


def line(name: str, pattern: str, brokers: tuple[str, ...] = BROKERS) -> HardenedSetting:
    """A hardened line of the generated code, matched by `pattern`."""
    return HardenedSetting(name, re.compile(pattern), brokers)


# Each pattern matches the one line of a generated project that sets the default; deleting it
# must make the generated suite fail (the mutation test; checked by hand for both brokers).
HARDENED = (
    line("set_encoder", r"^dramatiq\.set_encoder\(ENCODER\)"),
    line("set_broker", r"^dramatiq\.set_broker\(BROKER\)"),
    line("retry_when", r"^\s*retry_when=retry_when,"),
    line("min_backoff", r"^\s*min_backoff=MIN_BACKOFF,"),
    line("max_backoff", r"^\s*max_backoff=MAX_BACKOFF,"),
    line("retried Shutdown", r"^    Shutdown,$"),
    line("CrashLimit", r"^\s*CrashLimit\(max_crashes=MAX_CRASHES\),"),
    line("AgeLimit", r"^\s*AgeLimit\(max_age=MAX_AGE\),"),
    line("TimeLimit", r"^\s*TimeLimit\(time_limit=TIME_LIMIT \* 1000\),"),
    line("notify_shutdown", r"^\s*ShutdownNotifications\(notify_shutdown=True\),"),
    line("CurrentMessage", r"^\s*CurrentMessage\(\),"),
    line("Results", r"^\s*Results\(backend=RedisBackend\("),
    line("Records", r"^\s*records\.Records\(\),"),
    line("FailureLog", r"^\s*FailureLog\(\),"),
    line("Liveness", r"^\s*Liveness\(\),"),
    line("socket_keepalive", r"^\s*\"socket_keepalive\": True,"),
    line("health_check_interval", r"^\s*\"health_check_interval\":"),
    line("socket_timeout", r"^\s*\"socket_timeout\": settings\.redis_socket_timeout,"),
    line("socket_connect_timeout", r"^\s*\"socket_connect_timeout\":"),
    line("heartbeat_timeout", r"^\s*heartbeat_timeout=settings\.", ("redis",)),
    line("maintenance_chance", r"^\s*maintenance_chance=settings\.", ("redis",)),
    line("broker client options", r"^\s*client=redis\.Redis\.from_url\(url, ", ("redis",)),
    line("worker writes retried", r"^\s*retry = Retry\(ExponentialBackoff\(cap=5, "),
    line("leave after a refused ack", r"^\s*os\._exit\(EXIT_UNACKNOWLEDGED\)", ("redis",)),
    line("follow rejections", r"^    before_nack = before_ack$", ("redis",)),
    line("confirm_delivery", r"^\s*confirm_delivery=settings\.", ("rabbitmq",)),
    line("blocked_connection_timeout", r"^\s*\"blocked_connection_timeout\":", ("rabbitmq",)),
    line("pika socket_timeout", r"^\s*\"socket_timeout\": settings\.rabbitmq_", ("rabbitmq",)),
)
DJANGO_HARDENED = (
    line("DbConnections", r"^\s*DbConnections\(\),"),
    line("CONN_MAX_AGE", r"^\s*conn_max_age="),
    line("CONN_HEALTH_CHECKS", r"^\s*conn_health_checks="),
)
# Django: a message is sent only when the transaction that made its rows commits; the edit that
# undoes it sends at once.
WIRING = (
    Wiring(
        "send_on_commit",
        re.compile(r"transaction\.on_commit\(partial\(send, message\)\)"),
        "send(message)",
        ("django",),
        "tests/test_web.py",
    ),
)


class DramatiqAdapter(TaskQueueAdapter):
    """Dramatiq: Redis or RabbitMQ (results and records in Redis); settings in broker.py."""

    name: ClassVar[str] = "dramatiq"
    ready_log: ClassVar[str] = "Worker process is ready for action."
    unit: ClassVar[str] = "message"
    units: ClassVar[str] = "messages"
    definitions: ClassVar[str] = "actors"
    probe_files: ClassVar[tuple[Path, ...]] = (PROBE_DIR / "tqgen_probe.py",)

    def hardened_settings(self, combination: Combination) -> tuple[HardenedSetting, ...]:
        """The lines above that the combination's broker has; Django's database ones too."""
        own = tuple(s for s in HARDENED if combination.broker in s.brokers)
        return (*own, *DJANGO_HARDENED) if combination.web == "django" else own

    def wiring(self, combination: Combination) -> tuple[Wiring, ...]:
        """The wiring above, that of the combination's web choice."""
        return tuple(w for w in WIRING if combination.web in w.webs)

    def compose_services(self, combination: Combination) -> Mapping[str, bool]:
        """Redis (the broker, or the results beside RabbitMQ), the worker; web and scheduler
        when chosen; no dashboard (none works with Dramatiq 2)."""
        options = combination.data
        return {
            "redis": True,
            "rabbitmq": combination.broker == "rabbitmq",
            "worker": True,
            "web": combination.web != "none",
            "scheduler": options.get("periodic_tasks", True),
            "dashboard": False,
        }

    def dashboard(self, combination: Combination) -> Dashboard | None:
        """None: copier.yml's monitoring question refuses a dashboard for Dramatiq."""
        return None

    def scheduler_service(self, combination: Combination) -> str | None:
        """APScheduler's process, with periodic messages."""
        return "scheduler" if combination.data.get("periodic_tasks", True) else None

    def option_variants(self, combinations: Sequence[Combination]) -> list[Combination]:
        """No periodic messages, on the CLI project of each broker."""
        return [
            find(combinations, broker=broker, web="none").with_options(periodic_tasks=False)
            for broker in BROKERS
        ]

    def probe_worker_command(self, project: Path, env: Mapping[str, str]) -> list[str]:
        """The compose worker command with the probe module after the project's actors."""
        args = self.worker_command(project, env)
        actors = f"{generated_package(project)}.actors"
        at = args.index(actors) + 1
        return [*args[:at], "tqgen_probe", *args[at:]]

    def fast_redelivery_env(self, broker: str) -> dict[str, str]:
        """Redis: a 3 s heartbeat timeout looked at on every call; RabbitMQ needs nothing."""
        return dict(FAST_RECOVERY) if broker == "redis" else {}

    def killed_worker_rerun_within(self, combination: Combination) -> float | None:
        """Redis: about 40 s in the README (measured 45 s for a 5 s message); RabbitMQ: at once."""
        return 90.0 if combination.broker == "redis" else 30.0

    def poison_redelivery_shortened(self, combination: Combination) -> bool:
        """Redis: each of CrashLimit's deliveries waits for the heartbeat sweep (about 40 s as
        shipped); RabbitMQ returns the dead connection's message at once."""
        return combination.broker == "redis"

    def redis_restart_mid_task(self, combination: Combination) -> MidTaskRestart | None:
        """None: the Dramatiq worker does not exit. Measured by hand: it survives a Redis restart,
        the running messages finish and are acknowledged, the queued ones run (the README says
        so); the crash tests' restart case expects an exit and a rerun."""
        return None

    def failure_logger(self, project: Path) -> str:
        """The hook lives in `<module>/failures.py` and logs on its module's logger."""
        return f"{generated_package(project)}.failures"

    def dead_lettered(self, project: Path, env: Mapping[str, str]) -> list[str]:
        """None: no broker delivery limit is configured. Dramatiq itself moves every message that
        failed for good (the CrashLimit bound included) to its `<queue>.XQ`, by design."""
        return []

    def send(
        self,
        project: Path,
        env: Mapping[str, str],
        probe: str,
        args: Sequence[Any],
        count: int = 1,
        quick_retry: bool = False,
    ) -> list[str]:
        """Send `count` messages to the probe actor `probe(*args)` through the project's broker;
        `quick_retry` keeps the retry bound with 1 s between attempts."""
        command = ["send", probe, str(count), json.dumps(list(args)), "1" if quick_retry else "0"]
        ids: list[str] = json.loads(self.probe_client(project, env, command, timeout=60))
        return ids

    def probe_client(
        self, project: Path, env: Mapping[str, str], args: list[str], timeout: float
    ) -> str:
        """Run the probe client with the project's Python."""
        client = ["python", "-P", str(PROBE_DIR / "client.py"), *args]
        return run_probe_client(project, client, args[0], env, timeout)
