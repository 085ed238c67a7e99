"""compose.yaml is valid, names the contract's services and publishes nothing beyond localhost."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.combinations import Combination
from support.compose import (
    DEFAULT_STOP_GRACE_PERIOD,
    bound_to_loopback,
    command,
    duration_seconds,
    interpolate,
    is_exec_form,
    load_compose,
    option_value,
    published_ports,
    service_environment,
    stop_grace_period,
)
from support.compose import services as compose_services
from support.frameworks import adapter_for
from support.tools import compose_schema_check


class TestComposeFile:
    """The rendered compose.yaml."""

    def test_schema(self, project: Path) -> None:
        """compose.yaml exists and validates against the compose-spec schema."""
        assert (project / "compose.yaml").is_file(), "compose.yaml was not rendered"
        result = compose_schema_check(project)
        assert result.returncode == 0, result.stdout + result.stderr

    def test_services(self, project: Path, combination: Combination) -> None:
        """The services the framework's adapter requires exist, and none it rules out."""
        wanted = adapter_for(combination.framework).compose_services(combination)
        names = set(compose_services(load_compose(project)))
        missing = {name for name, on in wanted.items() if on} - names
        unwanted = {name for name, on in wanted.items() if not on} & names
        assert not missing, f"services missing from compose.yaml: {sorted(missing)}"
        assert not unwanted, f"services that were not chosen: {sorted(unwanted)}"

    def test_commands_are_exec_form(self, project: Path, combination: Combination) -> None:
        """The image's service (the worker) has a command, and every command is a list of
        strings (exec form)."""
        declared = {
            name: service["command"]
            for name, service in compose_services(load_compose(project)).items()
            if "command" in service
        }
        main = adapter_for(combination.framework).image_service(combination)
        assert main in declared, f"the {main} service has no command: {sorted(declared)}"
        shell_form = {name: value for name, value in declared.items() if not is_exec_form(value)}
        assert not shell_form, f"commands not in exec form: {shell_form}"

    def test_every_long_running_service_has_a_healthcheck(self, project: Path) -> None:
        """Every service compose keeps running (all but one-shot ones, `restart: "no"`) has a
        healthcheck that runs a command."""
        unchecked = [
            name
            for name, service in compose_services(load_compose(project)).items()
            if service.get("restart") != "no"
            and service.get("healthcheck", {}).get("test", [None])[0] not in ("CMD", "CMD-SHELL")
        ]
        assert not unchecked, f"long-running services without a healthcheck: {unchecked}"

    def test_the_image_runs_the_worker_by_default(
        self, project: Path, combination: Combination
    ) -> None:
        """The Dockerfile's CMD (exec form) is the command of the image's compose service (the
        worker): a bare `docker run` of the image starts the same process."""
        lines = (project / "Dockerfile").read_text().splitlines()
        cmds = [line.removeprefix("CMD ") for line in lines if line.startswith("CMD ")]
        assert len(cmds) == 1, cmds
        main = adapter_for(combination.framework).image_service(combination)
        assert json.loads(cmds[0]) == command(load_compose(project), main)

    def test_ports_on_loopback(self, project: Path) -> None:
        """Every published port is bound to 127.0.0.1."""
        exposed = [
            f"{name}: {entry!r}"
            for name, entry in published_ports(load_compose(project))
            if not bound_to_loopback(entry)
        ]
        assert not exposed, "ports published beyond localhost:\n" + "\n".join(exposed)

    def test_redis_keeps_queued_tasks(self, project: Path, combination: Combination) -> None:
        """Redis, wherever the project runs one, persists with AOF; as a broker it never evicts."""
        compose = load_compose(project)
        if "redis" not in compose_services(compose):
            assert combination.broker != "redis", "no redis service for the Redis broker"
            return
        args = command(compose, "redis")
        assert option_value(args, "--appendonly") == "yes", args
        if combination.broker == "redis":
            assert option_value(args, "--maxmemory-policy") == "noeviction", args

    def test_django_shares_one_migrated_database(
        self, project: Path, combination: Combination
    ) -> None:
        """Django: PostgreSQL and a one-shot migrate, which the project's services share and wait
        for; no container gets a SQLite file of its own. Other projects run no database, unless
        the framework keeps its own in one (Airflow's metadata database)."""
        compose = load_compose(project)
        found = compose_services(compose)
        if combination.web != "django":
            if not adapter_for(combination.framework).compose_services(combination).get("postgres"):
                assert not {"postgres", "migrate"} & set(found), sorted(found)
            return
        assert "SQLITE_PATH" not in (project / "compose.yaml").read_text()
        postgres = found["postgres"]
        assert postgres["image"].startswith("postgres:"), postgres["image"]
        assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
        assert "postgres-data" in compose["volumes"]
        migrate = found["migrate"]
        assert command(compose, "migrate") == ["python", "manage.py", "migrate", "--noinput"]
        assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
        assert migrate["restart"] == "no"
        url = migrate["environment"]["DATABASE_URL"]
        assert url.startswith("postgresql://"), url
        assert "@postgres:5432/" in url, url
        users = [name for name in ("worker", "web", "beat", "scheduler") if name in found]
        assert {"worker", "web"} <= set(users), sorted(found)
        for name in users:
            service = found[name]
            assert service["environment"]["DATABASE_URL"] == url, name
            assert service["depends_on"]["postgres"] == {"condition": "service_healthy"}, name
            done = {"condition": "service_completed_successfully"}
            assert service["depends_on"]["migrate"] == done, name

    def test_required_variables_are_in_env_example(self, project: Path) -> None:
        """Every variable compose.yaml refuses to start without is in .env.example."""
        required = set(re.findall(r"\$\{(\w+):\?", (project / "compose.yaml").read_text()))
        example = (project / ".env.example").read_text()
        listed = set(re.findall(r"^(\w+)=", example, re.MULTILINE))
        assert required <= listed, sorted(required - listed)


class TestPortCheck:
    """The loopback check reads both port syntaxes."""

    @pytest.mark.parametrize(
        ("entry", "expected"),
        [
            ("127.0.0.1:6379:6379", True),
            ("6379:6379", False),
            ("0.0.0.0:8000:8000", False),
            (8000, False),
            ({"target": 80, "published": 8000, "host_ip": "127.0.0.1"}, True),
            ({"target": 80, "published": 8000}, False),
        ],
    )
    def test_entries(self, entry: object, expected: bool) -> None:
        """Only entries that name host 127.0.0.1 count as loopback."""
        assert bound_to_loopback(entry) is expected


class TestInterpolation:
    """The harness expands compose variables in commands the way compose does."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("${PORT:-8000}", "1234"),
            ("${MISSING:-8000}", "8000"),
            ("${EMPTY:-d}", "d"),
            ("${EMPTY-d}", ""),
            ("$$PORT", "$PORT"),
            ("--port=$PORT", "--port=1234"),
        ],
    )
    def test_rules(self, text: str, expected: str) -> None:
        """Defaults, empty values and `$$` escapes follow the compose-spec rules."""
        assert interpolate(text, {"PORT": "1234", "EMPTY": ""}) == expected

    def test_required_variable(self) -> None:
        """`${VAR:?message}` with VAR unset is an error, as in compose."""
        with pytest.raises(KeyError, match="SECRET"):
            interpolate("${SECRET:?set it}", {})


class TestStopSettings:
    """The harness reads a service's grace period and environment as `docker stop` uses them."""

    @pytest.mark.parametrize(
        ("value", "seconds"), [("25s", 25.0), ("1m30s", 90.0), ("500ms", 0.5), (7, 7.0)]
    )
    def test_durations(self, value: str | int, seconds: float) -> None:
        """Compose durations with units, combined units, and bare numbers become seconds."""
        assert duration_seconds(value) == seconds

    def test_bad_duration(self) -> None:
        """A value that is no compose duration is an error, not a guess."""
        with pytest.raises(ValueError, match="10 seconds"):
            duration_seconds("10 seconds")

    def test_grace_period_default(self) -> None:
        """Without `stop_grace_period` a service gets compose's default of 10 s."""
        compose = {"services": {"worker": {}, "slow": {"stop_grace_period": "1m"}}}
        assert stop_grace_period(compose, "worker") == DEFAULT_STOP_GRACE_PERIOD == 10.0
        assert stop_grace_period(compose, "slow") == 60.0

    def test_environment(self) -> None:
        """Map and list forms are interpolated; a required variable that is unset is left out."""
        env = {"LEVEL": "debug"}
        mapped = {"A": "${LEVEL:-info}", "SECRET": "${SECRET:?set it}", "N": 3}
        listed = ["A=${LEVEL}", "LEVEL", "ABSENT"]
        compose = {"services": {"m": {"environment": mapped}, "l": {"environment": listed}}}
        assert service_environment(compose, "m", env) == {"A": "debug", "N": "3"}
        assert service_environment(compose, "l", env) == {"A": "debug", "LEVEL": "debug"}
