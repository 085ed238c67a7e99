"""Read a generated compose.yaml: services, their exec-form commands and published ports."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeGuard

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


def is_exec_form(value: Any) -> TypeGuard[list[str]]:
    """Whether a `command:` value is a list of strings (exec form), not a shell string."""
    return isinstance(value, list) and all(isinstance(arg, str) for arg in value)


def command(compose: dict[str, Any], service: str) -> list[str]:
    """A service's `command:`, which the contract requires in exec (list) form."""
    value = services(compose)[service].get("command")
    if not is_exec_form(value):
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


_BRACED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?", re.DOTALL)
_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _closing_brace(value: str, start: int) -> int:
    """The index of the `}` that closes the `${` whose contents begin at `start`."""
    depth, index = 1, start
    while index < len(value):
        if value.startswith("${", index):
            depth, index = depth + 1, index + 2
            continue
        if value[index] == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise ValueError(f"unclosed ${{ in {value!r}")


def _braced(expression: str, env: Mapping[str, str]) -> str:
    """The value of `${expression}`; a default or message is itself interpolated, when used."""
    match = _BRACED.fullmatch(expression)
    if match is None:
        raise ValueError(f"not a compose interpolation: ${{{expression}}}")
    name, op, arg = match["name"], match["op"], match["arg"] or ""
    present, filled = name in env, bool(env.get(name))
    if op in (":-", "-"):
        use_default = not filled if op == ":-" else not present
        return interpolate(arg, env) if use_default else env[name]
    if op in (":?", "?"):
        if not (filled if op == ":?" else present):
            raise KeyError(f"compose variable {name} is required: {arg}")
        return env[name]
    if op in (":+", "+"):
        return interpolate(arg, env) if (filled if op == ":+" else present) else ""
    return env.get(name, "")


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """Apply compose's `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`,
    `${VAR:+alt}` and `$$` rules; a default may hold `${...}` itself."""
    out: list[str] = []
    index = 0
    while index < len(value):
        char, following = value[index], value[index + 1 : index + 2]
        if char != "$":
            out.append(char)
            index += 1
        elif following == "$":
            out.append("$")
            index += 2
        elif following == "{":
            end = _closing_brace(value, index + 2)
            out.append(_braced(value[index + 2 : end], env))
            index = end + 1
        elif bare := _BARE.match(value, index + 1):
            out.append(env.get(bare.group(), ""))
            index = bare.end()
        else:
            out.append(char)
            index += 1
    return "".join(out)


def host_command(compose: dict[str, Any], service: str, env: Mapping[str, str]) -> list[str]:
    """A service's command as compose would run it with `env`, for running on the host."""
    return [interpolate(arg, env) for arg in command(compose, service)]


def host_entrypoint_command(
    compose: dict[str, Any], service: str, env: Mapping[str, str]
) -> list[str]:
    """A service's `entrypoint:` (exec form, if it has one) followed by its `command:`, as compose
    runs them with `env`, for running on the host."""
    entrypoint = services(compose)[service].get("entrypoint") or []
    if not is_exec_form(entrypoint):
        raise TypeError(f"service {service!r}: entrypoint is not a list of strings: {entrypoint!r}")
    return [interpolate(arg, env) for arg in entrypoint] + host_command(compose, service, env)


def healthcheck_command(compose: dict[str, Any], service: str, env: Mapping[str, str]) -> list[str]:
    """A service's healthcheck test as compose would run it in the container, for the host.

    `["CMD", ...]` runs as given; `["CMD-SHELL", "..."]` through `sh -c`. Compose interpolates
    `$VAR` (and turns `$$` into `$`) before the container's shell sees the command.
    """
    test = services(compose)[service]["healthcheck"]["test"]
    if isinstance(test, str):
        test = ["CMD-SHELL", test]
    kind, *args = test
    resolved = [interpolate(arg, env) for arg in args]
    if kind == "CMD-SHELL":
        return ["sh", "-c", " ".join(resolved)]
    if kind != "CMD":
        raise ValueError(f"{service}: healthcheck test {test!r} is not CMD or CMD-SHELL")
    return resolved


# Compose's default `stop_grace_period`: how long `docker stop` waits before SIGKILL.
DEFAULT_STOP_GRACE_PERIOD = 10.0
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(us|ms|s|m|h)")
_DURATION_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def duration_seconds(value: str | int | float) -> float:
    """A compose duration (`1m30s`, `90s`, `500ms`; a bare number is seconds) in seconds."""
    if isinstance(value, int | float):
        return float(value)
    parts = _DURATION_PART.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value.strip():
        raise ValueError(f"not a compose duration: {value!r}")
    return sum(float(number) * _DURATION_UNITS[unit] for number, unit in parts)


def stop_grace_period(compose: dict[str, Any], service: str) -> float:
    """Seconds `docker stop` gives `service` between SIGTERM and SIGKILL."""
    value = services(compose)[service].get("stop_grace_period")
    return DEFAULT_STOP_GRACE_PERIOD if value is None else duration_seconds(value)


def service_environment(
    compose: dict[str, Any], service: str, env: Mapping[str, str]
) -> dict[str, str]:
    """A service's `environment:` (map or list form) interpolated with `env`.

    A variable compose would refuse to start without (`${NAME:?...}`) and that `env` lacks is
    left out: the host run has no .env, and the project's settings decide what it defaults to.
    """
    value = services(compose)[service].get("environment") or {}
    if isinstance(value, list):
        value = dict(item.split("=", 1) if "=" in item else (item, None) for item in value)
    resolved = {}
    for name, raw in value.items():
        if raw is None:  # `- NAME` passes the variable through from the caller's environment
            if name in env:
                resolved[name] = env[name]
            continue
        try:
            resolved[name] = interpolate(str(raw), env)
        except KeyError:
            continue
    return resolved
