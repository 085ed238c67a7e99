"""Read a generated compose.yaml: services, their exec-form commands and published ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml


def load_compose(project: Path) -> dict[str, Any]:
    """The parsed compose.yaml of a generated project."""
    data = yaml.safe_load((project / "compose.yaml").read_text())
    if not isinstance(data, dict):
        raise TypeError("compose.yaml is not a mapping")
    return data


def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services section (empty if missing)."""
    return compose.get("services") or {}


def command(compose: dict[str, Any], service: str) -> list[str]:
    """A service's `command:`, which the contract requires in exec (list) form."""
    value = services(compose)[service].get("command")
    if not isinstance(value, list) or not all(isinstance(arg, str) for arg in value):
        raise TypeError(f"service {service!r}: command is not a list of strings: {value!r}")
    return value


def published_ports(compose: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(service, port entry) for every `ports:` entry of every service."""
    for name, service in services(compose).items():
        for entry in service.get("ports") or []:
            yield name, entry


def bound_to_loopback(entry: Any) -> bool:
    """Whether a short- or long-syntax port entry publishes on 127.0.0.1 only."""
    if isinstance(entry, dict):
        return entry.get("host_ip") == "127.0.0.1"
    return isinstance(entry, str) and entry.startswith("127.0.0.1:")


def option_value(args: list[str], option: str) -> str | None:
    """The value after `option` in an argument list (`--opt value` or `--opt=value`)."""
    for index, arg in enumerate(args):
        if arg == option and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(f"{option}="):
            return arg.split("=", 1)[1]
    return None
