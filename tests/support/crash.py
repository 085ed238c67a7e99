"""What crash tests share: the probe's records in Redis, gates, and worker logs for failures."""

from __future__ import annotations

import json
from typing import Any

from support.brokers import BrokerTarget, redis_db
from support.processes import ProcessGroup


def records(target: BrokerTarget, key: str) -> list[str]:
    """The Redis list `key` the probe appended to, oldest first."""
    with redis_db(target.results_db) as client:
        return list(client.lrange(key, 0, -1))


def json_records(target: BrokerTarget, key: str) -> list[dict[str, Any]]:
    """The Redis list `key`, each entry decoded from JSON."""
    return [json.loads(entry) for entry in records(target, key)]


def open_gate(target: BrokerTarget, gate: str) -> None:
    """Let every probe task waiting for `gate` go on."""
    with redis_db(target.results_db) as client:
        client.set(gate, "open")


def logs(*groups: ProcessGroup) -> str:
    """The end of each process's output, for a failure message."""
    return "\n".join(f"--- {g.log.name}\n{g.output()[-4000:]}" for g in groups)
