"""`.env.example` ships no secret: compose refuses to start until the user has set each one."""

from __future__ import annotations

import re
from pathlib import Path

# Variable names that hold a secret (a password, a key, a login with its password).
SECRET = re.compile(r"PASSWORD|SECRET|_AUTH$|_TOKEN$")


def _assignments(project: Path) -> dict[str, str]:
    """The variables `.env.example` sets, and their values."""
    text = (project / ".env.example").read_text()
    return dict(re.findall(r"^(\w+)=(.*)$", text, re.MULTILINE))


def _required(project: Path) -> set[str]:
    """The variables compose.yaml refuses to start without (`${NAME:?message}`)."""
    return set(re.findall(r"\$\{(\w+):\?", (project / "compose.yaml").read_text()))


class TestEnvExample:
    """A copied `.env.example` does not start the stack: every secret must be set first."""

    def test_every_secret_is_left_empty(self, project: Path) -> None:
        """Passwords, keys and logins have no value, not even a placeholder like change-me."""
        filled = {name: v for name, v in _assignments(project).items() if SECRET.search(name) and v}
        assert not filled, filled

    def test_compose_refuses_to_start_without_each_secret(self, project: Path) -> None:
        """Every secret of `.env.example` is a `${NAME:?...}` in compose.yaml."""
        secrets = {name for name in _assignments(project) if SECRET.search(name)}
        assert secrets <= _required(project), sorted(secrets - _required(project))

    def test_what_compose_requires_is_left_empty(self, project: Path) -> None:
        """A variable compose.yaml requires is empty in `.env.example`, so a copy fails loudly."""
        assignments = _assignments(project)
        filled = {name: assignments[name] for name in _required(project) if assignments.get(name)}
        assert not filled, filled
