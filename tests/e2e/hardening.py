"""The hardened settings of each framework template, one line each (docs/template-contract.md).

Each pattern matches the single line that assigns one hardened setting in a generated project,
whether as a module-level Celery setting (`task_acks_late = True`), a Django setting with the
CELERY_ namespace (`CELERY_TASK_ACKS_LATE = True`) or a key of a settings dict
(`"socket_keepalive": True,`). The mutation test deletes each line in turn and expects the
generated `tests/test_config.py` to fail. A template change that renames a setting updates
this list; a pattern that matches no line, or several, fails the test and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BROKERS = ("redis", "rabbitmq")


@dataclass(frozen=True)
class HardenedSetting:
    """One hardened setting.

    Attributes:
        name: the setting's name, used as the test id.
        pattern: a regular expression matching the one line that sets it.
        brokers: the brokers for which the template sets it.
    """

    name: str
    pattern: re.Pattern[str]
    brokers: tuple[str, ...] = BROKERS


def celery_setting(name: str, brokers: tuple[str, ...] = BROKERS) -> HardenedSetting:
    """A Celery setting assigned at module level, lowercase or as Django's CELERY_ upper case."""
    pattern = re.compile(rf"^\s*(?:CELERY_)?{name}\s*=", re.IGNORECASE)
    return HardenedSetting(name, pattern, brokers)


def dict_key(name: str, brokers: tuple[str, ...] = BROKERS) -> HardenedSetting:
    """A key of a settings dict such as `broker_transport_options`, one key per line."""
    return HardenedSetting(name, re.compile(rf"^\s*[\"']{name}[\"']\s*:"), brokers)


HARDENED: dict[str, tuple[HardenedSetting, ...]] = {
    "celery": (
        # JSON only: pickle executes code from the queue.
        celery_setting("task_serializer"),
        celery_setting("result_serializer"),
        celery_setting("accept_content"),
        celery_setting("result_accept_content"),
        # No task lost by a dying worker.
        celery_setting("task_acks_late"),
        celery_setting("task_reject_on_worker_lost"),
        celery_setting("worker_prefetch_multiplier"),
        celery_setting("worker_cancel_long_running_tasks_on_connection_loss"),
        celery_setting("broker_connection_retry_on_startup"),
        # Redis broker connection health and redelivery.
        dict_key("socket_keepalive", ("redis",)),
        dict_key("health_check_interval", ("redis",)),
        dict_key("visibility_timeout", ("redis",)),
        dict_key("unacked_restore_interval", ("redis",)),
        # RabbitMQ: replicated queues, delayed delivery, publisher confirms.
        celery_setting("task_default_queue_type", ("rabbitmq",)),
        celery_setting("task_default_exchange_type", ("rabbitmq",)),
        dict_key("confirm_publish", ("rabbitmq",)),
        # Redis result backend connection health.
        celery_setting("redis_socket_keepalive"),
        celery_setting("redis_backend_health_check_interval"),
        celery_setting("redis_retry_on_timeout"),
        # Limits.
        celery_setting("task_time_limit"),
        celery_setting("task_soft_time_limit"),
        celery_setting("result_expires"),
        # Failures visible in monitoring.
        celery_setting("worker_send_task_events"),
        celery_setting("task_send_sent_event"),
        celery_setting("task_track_started"),
    ),
}


def hardened_settings(framework: str, broker: str) -> tuple[HardenedSetting, ...]:
    """The hardened settings a project of this framework and broker must carry."""
    return tuple(s for s in HARDENED.get(framework, ()) if broker in s.brokers)
