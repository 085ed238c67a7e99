"""The Celery template as the tiers see it: hardened settings, services, worker and probe."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from support.combinations import Combination
from support.compose import option_value
from support.frameworks.base import (
    Dashboard,
    MidTaskRestart,
    TaskQueueAdapter,
    generated_package,
    run_probe_client,
)
from support.hardening import HardenedSetting, Wiring
from support.selection import find
from support.uvenv import project_env

BROKERS = ("redis", "rabbitmq")
WEBS = ("none", "django", "flask", "fastapi")
PROBE_DIR = Path(__file__).parent / "celery_probe"
# Redis redelivers an unacknowledged task after the visibility timeout: short for crash tests
# (the README states the shipped delay), but longer than it takes to see a task start and kill.
VISIBILITY_TIMEOUT, RESTORE_INTERVAL = 5, 1

# Flower: FLOWER_BASIC_AUTH guards its pages and its API; /metrics and /healthcheck answer
# without it (Flower serves them unauthenticated), as the generated README says.
FLOWER = Dashboard(
    service="flower",
    guarded=("/", "/tasks", "/broker", "/api/workers"),
    open={"/metrics": b"flower_", "/healthcheck": b"OK"},
)

# A Redis restart while a task runs: Celery 5.7 with kombu 5.7's Redis transport cannot reconnect
# a worker that holds an unacknowledged message. Closing the broken connection restores the
# message through a transport that is gone (`AttributeError: 'NoneType' object has no attribute
# 'hostname'`), an unrecoverable error: the worker lets its running task finish, cannot
# acknowledge it and exits; compose starts a new one (`restart: unless-stopped`), and the message,
# still unacknowledged in Redis, runs again once it is older than the visibility timeout (the
# shortened one, plus a sweep every 10 s, plus a worker's start). An idle worker reconnects.
REDIS_RESTART_MID_TASK = MidTaskRestart(exit_log="Unrecoverable error", rerun_within=60)


def celery_setting(name: str, brokers: tuple[str, ...] = BROKERS) -> HardenedSetting:
    """A setting assigned at module level, lowercase or as Django's CELERY_ upper case."""
    pattern = re.compile(rf"^\s*(?:CELERY_)?{name}\s*=", re.IGNORECASE)
    return HardenedSetting(name, pattern, brokers)


def dict_key(name: str, brokers: tuple[str, ...] = BROKERS) -> HardenedSetting:
    """A key of a settings dict such as `broker_transport_options`, one key per line."""
    return HardenedSetting(name, re.compile(rf"^\s*[\"']{name}[\"']\s*:"), brokers)


# Each pattern matches the one line of a generated project that sets the setting; a template
# change that renames one updates this list (the mutation test says which pattern went stale).
HARDENED = (
    # JSON only: pickle executes code from the queue.
    celery_setting("task_serializer"),
    celery_setting("result_serializer"),
    celery_setting("accept_content"),
    celery_setting("result_accept_content"),
    # No task lost by a dying worker.
    celery_setting("task_acks_late"),
    celery_setting("task_reject_on_worker_lost"),
    celery_setting("task_retry_on_worker_lost"),
    celery_setting("worker_prefetch_multiplier"),
    celery_setting("worker_cancel_long_running_tasks_on_connection_loss"),
    celery_setting("worker_soft_shutdown_timeout"),
    celery_setting("broker_connection_retry_on_startup"),
    # Redis broker connection health and redelivery.
    dict_key("socket_keepalive", ("redis",)),
    dict_key("socket_timeout", ("redis",)),
    dict_key("socket_connect_timeout", ("redis",)),
    dict_key("visibility_timeout", ("redis",)),
    dict_key("unacked_restore_interval", ("redis",)),
    # RabbitMQ: replicated queues, delayed delivery, publisher confirms.
    celery_setting("task_default_queue_type", ("rabbitmq",)),
    celery_setting("task_default_exchange_type", ("rabbitmq",)),
    dict_key("confirm_publish", ("rabbitmq",)),
    dict_key("x-queue-type", ("rabbitmq",)),
    dict_key("x-delivery-limit", ("rabbitmq",)),
    dict_key("x-dead-letter-exchange", ("rabbitmq",)),
    dict_key("x-dead-letter-routing-key", ("rabbitmq",)),
    celery_setting("task_create_missing_queue_type", ("rabbitmq",)),
    # Routing: send_receipt's own queue, declared so that a worker without -Q consumes it.
    # The route itself, not the `task_routes = {` line (deleting that would only break syntax).
    HardenedSetting(
        "task_routes", re.compile(r'^\s*"\w+\.tasks\.send_receipt": \{"queue"'), BROKERS
    ),
    HardenedSetting("receipts_queue", re.compile(r'^\s*"receipts",'), BROKERS),
    # Redis result backend connection health.
    celery_setting("redis_socket_keepalive"),
    celery_setting("redis_backend_health_check_interval"),
    celery_setting("redis_retry_on_timeout"),
    celery_setting("result_backend_always_retry"),
    celery_setting("result_backend_max_retries"),
    # Limits.
    celery_setting("task_time_limit"),
    celery_setting("worker_concurrency"),
    celery_setting("worker_max_memory_per_child"),
    celery_setting("task_soft_time_limit"),
    # Failures visible in monitoring.
    # The failure hook (and on RabbitMQ the dead-letter queues) wired into the worker: the
    # `imports` entry of celeryconfig.py, or the import in the Django app's ready().
    HardenedSetting(
        "signals_imported",
        re.compile(r'^\s*(?:"\w+\.signals",|from \w+ import (?:shutdown, )?signals\b)'),
        BROKERS,
    ),
    # A worker whose shutdown is stuck (a full Redis refusing an acknowledgement can deadlock
    # the prefork pool) still exits: the bootstep wired in, and the exit it makes.
    HardenedSetting(
        "shutdown_imported",
        re.compile(r'^\s*(?:"\w+\.shutdown",|from \w+ import shutdown\b)'),
        BROKERS,
    ),
    HardenedSetting("shutdown_deadline", re.compile(r"^\s*os\._exit\(1\)$"), BROKERS),
    celery_setting("worker_send_task_events"),
    celery_setting("task_send_sent_event"),
    celery_setting("task_track_started"),
    # beat answers `inspect ping` (compose's healthcheck) while its scheduler ticks.
    celery_setting("beat_enable_remote_control"),
)
# Wired only into RabbitMQ projects.
RABBITMQ_ONLY_WIRING = frozenset({"dead_letter_reader"})
# Set only where the project has periodic tasks (beat).
PERIODIC_ONLY = frozenset({"beat_enable_remote_control"})
# Django's database connections (config/settings.py), in the Django projects only.
DJANGO_HARDENED = (
    HardenedSetting("CONN_MAX_AGE", re.compile(r"^\s*conn_max_age="), BROKERS),
    HardenedSetting("CONN_HEALTH_CHECKS", re.compile(r"^\s*conn_health_checks="), BROKERS),
)

# Guarantees wired in by one line, and the edit that quietly undoes each.
WIRING = (
    # Django: a task is sent only when the transaction that made its rows commits.
    Wiring(
        "send_on_commit",
        re.compile(r"transaction\.on_commit\(partial\("),
        "(lambda send: send())(partial(",
        ("django",),
        "tests/test_web.py",
    ),
    # send_receipt's retries: capped at 60 s (Celery's default, 600 s, if the line goes), with
    # jitter set on the task rather than left to Celery's current default.
    Wiring(
        "retry_backoff_max",
        re.compile(r"^\s*retry_backoff_max=60,"),
        "",
        WEBS,
        "tests/test_tasks.py",
    ),
    Wiring("retry_jitter", re.compile(r"^\s*retry_jitter=True,"), "", WEBS, "tests/test_tasks.py"),
    # SIGTERM as Celery's soft shutdown for every way the worker is started (worker.py); a real
    # SIGTERM to a real worker shows it.
    Wiring(
        "REMAP_SIGTERM",
        re.compile(r'^os\.environ\["REMAP_SIGTERM"\] = "SIGQUIT"$'),
        "",
        WEBS,
        "tests/test_worker.py",
    ),
    # RabbitMQ: every worker reads the dead-letter queues and logs what reaches them.
    Wiring(
        "dead_letter_reader",
        re.compile(r"^\s*threading\.Thread\(target=watcher\.run, "),
        "    threading.Thread(target=lambda: None, ",
        WEBS,
        "tests/test_tasks.py",
    ),
    # Flask: every task runs inside the Flask app context.
    Wiring(
        "flask_task_class",
        re.compile(r", task_cls=FlaskTask\)"),
        ")",
        ("flask",),
        "tests/test_tasks.py",
    ),
)


class CeleryAdapter(TaskQueueAdapter):
    """Celery: settings in celeryconfig.py or Django's CELERY_ namespace, results in Redis."""

    name: ClassVar[str] = "celery"
    ready_log: ClassVar[str] = " ready."
    unit: ClassVar[str] = "task"
    units: ClassVar[str] = "tasks"
    definitions: ClassVar[str] = "tasks"
    finished_states: ClassVar[frozenset[str]] = frozenset({"SUCCESS", "FAILURE", "REVOKED"})
    probe_files: ClassVar[tuple[Path, ...]] = (PROBE_DIR / "tqgen_probe.py",)

    def hardened_settings(self, combination: Combination) -> tuple[HardenedSetting, ...]:
        """The settings lists above, those of the combination's broker and web choice."""
        django = DJANGO_HARDENED if combination.web == "django" else ()
        beat = combination.data.get("periodic_tasks", True)
        return tuple(
            s
            for s in (*HARDENED, *django)
            if combination.broker in s.brokers and (beat or s.name not in PERIODIC_ONLY)
        )

    def wiring(self, combination: Combination) -> tuple[Wiring, ...]:
        """The wiring above, that of the combination's web choice."""
        return tuple(
            w
            for w in WIRING
            if combination.web in w.webs
            and (combination.broker == "rabbitmq" or w.name not in RABBITMQ_ONLY_WIRING)
        )

    def compose_services(self, combination: Combination) -> Mapping[str, bool]:
        """Broker, Redis (the result backend), worker; web, beat and flower when chosen."""
        options = combination.data
        return {
            combination.broker: True,
            "redis": True,
            "worker": True,
            "web": combination.web != "none",
            "beat": options.get("periodic_tasks", True),
            FLOWER.service: options.get("monitoring", True),
        }

    def dashboard(self, combination: Combination) -> Dashboard | None:
        """Flower, unless monitoring is switched off."""
        return FLOWER if combination.data.get("monitoring", True) else None

    def option_variants(self, combinations: Sequence[Combination]) -> list[Combination]:
        """No beat on Django (its schedule lives in settings), no Flower on RabbitMQ."""
        return [
            find(combinations, broker="redis", web="django").with_options(periodic_tasks=False),
            find(combinations, broker="rabbitmq", web="fastapi").with_options(monitoring=False),
        ]

    def probe_worker_command(self, project: Path, env: Mapping[str, str]) -> list[str]:
        """The compose worker command plus `--include tqgen_probe`, on the generated app."""
        return [*self.worker_command(project, env), "--include", "tqgen_probe"]

    def fast_redelivery_env(self, broker: str) -> dict[str, str]:
        """Redis: a short visibility timeout; RabbitMQ redelivers when the connection drops."""
        if broker != "redis":
            return {}
        return {
            "BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "BROKER_UNACKED_RESTORE_INTERVAL": str(RESTORE_INTERVAL),
        }

    def killed_worker_rerun_within(self, combination: Combination) -> float | None:
        """RabbitMQ requeues at once when the connection closes; Redis after the visibility
        timeout (an hour)."""
        return 30.0 if combination.broker == "rabbitmq" else None

    def redis_restart_mid_task(self, combination: Combination) -> MidTaskRestart | None:
        """On Redis, the worker exits and the task runs again (`REDIS_RESTART_MID_TASK`)."""
        return REDIS_RESTART_MID_TASK if combination.broker == "redis" else None

    def dead_lettered(self, project: Path, env: Mapping[str, str]) -> list[str]:
        """The task ids in the project's RabbitMQ dead-letter queues (taken off them)."""
        ids: list[str] = json.loads(self.probe_client(project, env, ["dead-letters"], timeout=60))
        return ids

    def failure_logger(self, project: Path) -> str:
        """The hook lives in `<module>/signals.py` and logs on its module's logger."""
        return f"{generated_package(project)}.signals"

    def send(
        self,
        project: Path,
        env: Mapping[str, str],
        probe: str,
        args: Sequence[Any],
        count: int = 1,
        quick_retry: bool = False,
    ) -> list[str]:
        """Send `count` probe tasks `tqgen_probe.<probe>(*args)` through the generated app.

        The probe tasks that fail on purpose set the short retry delay themselves.
        """
        command = ["send", f"tqgen_probe.{probe}", str(count), json.dumps(list(args))]
        ids: list[str] = json.loads(self.probe_client(project, env, command, timeout=60))
        return ids

    def probe_client(
        self, project: Path, env: Mapping[str, str], args: list[str], timeout: float
    ) -> str:
        """Run the probe client with the project's Python against the worker's app."""
        app = self._app(project, env)
        client = ["python", str(PROBE_DIR / "client.py"), app, *args]
        return run_probe_client(project, client, args[0], env, timeout)

    def _app(self, project: Path, env: Mapping[str, str]) -> str:
        """The app the compose worker command loads: `-A`/`--app`, or the `APP` of the
        `python -m <module>.worker` it runs."""
        args = self.worker_command(project, project_env(project, env))
        app = option_value(args, "-A") or option_value(args, "--app")
        if not app and (module := option_value(args, "-m")):
            source = project / "src" / Path(*module.split(".")).with_suffix(".py")
            found = re.search(r'^APP = "([\w.]+)"$', source.read_text(), re.MULTILINE)
            app = found.group(1) if found else None
        if not app:
            raise ValueError(f"the compose worker command names no app: {args}")
        return app

    def scheduler_service(self, combination: Combination) -> str | None:
        """Beat, with periodic tasks."""
        return "beat" if combination.data.get("periodic_tasks", True) else None

    def service_command(
        self, project: Path, service: str, env: Mapping[str, str], directory: Path
    ) -> list[str]:
        """Beat keeps its schedule in the test's directory instead of the shared /tmp."""
        schedule = f"--schedule={directory / 'celerybeat-schedule'}"
        args = super().service_command(project, service, env, directory)
        return [schedule if arg.startswith("--schedule=") else arg for arg in args]

    def another_worker(self, args: list[str], name: str) -> list[str]:
        """A node name of its own: two workers of one host may not share `celery@<host>`."""
        return [*args, f"--hostname={name}@%h"]
