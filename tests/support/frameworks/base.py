"""What a task framework must tell the test tiers: the adapter base class.

Every tier asks the framework's adapter (`support.frameworks.adapter_for`) for anything that
differs between Celery, RQ, Dramatiq and Airflow; the tiers themselves name no framework.
A new framework subclasses `FrameworkAdapter`, fills in the abstract members and registers an
instance in `support.frameworks.ADAPTERS`; the guard test in tests/render/test_adapters.py
fails until it does.
"""

from __future__ import annotations

import json
import shutil
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

from support.brokers import BrokerTarget
from support.combinations import Combination
from support.compose import host_command, load_compose, service_environment, stop_grace_period
from support.hardening import HardenedSetting, Wiring
from support.names import LONG_NAME, PROJECT_NAMES, SHORT_NAME, module_name
from support.selection import covering, named_in_turn, one_per_broker
from support.uvenv import run_in_project, venv_args

# Project names the end-to-end tier hands out in turn: the names that break generated code are
# the long and the short one (`demo` is what the upgrade tests generate).
E2E_NAMES = (LONG_NAME, SHORT_NAME)
# Where Copier records a project's answers (copier.yml keeps its default).
ANSWERS_FILE = ".copier-answers.yml"


def run_probe_client(
    project: Path, command: list[str], action: str, env: Mapping[str, str], timeout: float
) -> str:
    """Run a probe client `command` with the project's Python; its standard output. A failure
    raises, naming the client's `action` and the end of its standard error."""
    result = run_in_project(project, command, env, timeout)
    if result.returncode != 0:
        raise RuntimeError(f"probe client {action} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def project_answers(project: Path) -> dict[str, Any]:
    """The answers a generated project records in its `.copier-answers.yml`."""
    answers = yaml.safe_load((project / ANSWERS_FILE).read_text())
    if not isinstance(answers, dict):
        raise TypeError(f"{project / ANSWERS_FILE} is not a mapping")
    return answers


def generated_package(project: Path) -> str:
    """The generated package's import name, derived from the recorded project name."""
    return module_name(str(project_answers(project)["project_name"]))


@dataclass(frozen=True)
class Dashboard:
    """A web dashboard that a combination's compose file ships, and what its login guards.

    Every dashboard is started by the generated `python -m <module>.dashboard`, which reads its
    login and address from the settings (DASHBOARD_USERNAME, DASHBOARD_PASSWORD, DASHBOARD_HOST,
    DASHBOARD_PORT): the login tests expect every guarded path to answer 401 without the login
    and with a wrong password, 200 with it; the open paths answer 200 without it, and the
    generated README names each.

    Attributes:
        service: the compose service.
        guarded: paths (GET) that need the login.
        open: paths (GET) that the README documents as open, each with bytes its body holds.
    """

    service: str
    guarded: tuple[str, ...]
    open: Mapping[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class MidTaskRestart:
    """What a Redis broker restart does to a worker that is running a unit of work.

    The worker exits (compose's `restart:` starts a new one), the unit runs again on the new
    worker, and an idle worker survives a restart.

    Attributes:
        exit_log: a line the exiting worker writes, which says why it exits.
        rerun_within: seconds within which a new worker runs the unit again, with the
            adapter's `fast_redelivery_env`.
    """

    exit_log: str
    rerun_within: float


class FrameworkAdapter(ABC):
    """Everything framework-specific the render, end-to-end and mutation tiers need.

    A task queue (Celery, RQ, Dramatiq) subclasses `TaskQueueAdapter`, which the round-trip and
    crash tiers drive; a workflow engine (Airflow) runs the tiers every project has (render,
    its own suite, mutation) and tiers of its own (`workflow_combinations`).

    Attributes:
        name: the framework's value in copier.yml (`celery`).
        definitions: the module that defines the project's work (`tasks`); its tests are
            `tests/test_<definitions>.py`.
        config_tests: the generated test file that checks every hardened setting.
    """

    name: ClassVar[str]
    definitions: ClassVar[str]
    config_tests: ClassVar[str] = "tests/test_config.py"

    def definitions_module(self, project: Path) -> Path:
        """The generated module that defines the work (`src/<package>/tasks.py`)."""
        return project / "src" / generated_package(project) / f"{self.definitions}.py"

    # -- what the generated project must contain -------------------------------------------

    @abstractmethod
    def hardened_settings(self, combination: Combination) -> tuple[HardenedSetting, ...]:
        """The hardened settings this combination's project carries, one line each."""

    def wiring(self, combination: Combination) -> tuple[Wiring, ...]:
        """Lines that wire a guarantee in (e.g. sending on commit), with the edit that undoes it."""
        return ()

    @abstractmethod
    def compose_services(self, combination: Combination) -> Mapping[str, bool]:
        """Compose services by name: True for each that must exist, False for each that must not."""

    def image_service(self, combination: Combination) -> str:
        """The compose service whose command is the image's CMD (a bare `docker run`)."""
        return "worker"

    # -- which combinations each tier runs -------------------------------------------------

    @abstractmethod
    def option_variants(self, combinations: Sequence[Combination]) -> list[Combination]:
        """Renders that switch optional parts off, each on a combination the adapter names."""

    def render_cases(self, combinations: Sequence[Combination]) -> list[Combination]:
        """Render, lint and contract tier: every combination under every name, plus variants."""
        named = [c.named(name) for name in PROJECT_NAMES for c in combinations]
        return [*named, *self.option_variants(combinations)]

    def e2e_combinations(self, combinations: Sequence[Combination]) -> list[Combination]:
        """Full end-to-end tier: every broker and every web choice at least once, names mixed."""
        return named_in_turn(covering(combinations), E2E_NAMES)

    def mutation_combinations(self, combinations: Sequence[Combination]) -> list[Combination]:
        """Mutation test: one per broker, Django among them (its settings live elsewhere)."""
        return one_per_broker(self.e2e_combinations(combinations), first_web="django")

    def suite_env(self, target: BrokerTarget | None) -> dict[str, str]:
        """The environment that points the generated suite at `target` (None: no broker)."""
        return target.env() if target else {}

    def roundtrip_combinations(self, combinations: Sequence[Combination]) -> list[Combination]:
        """Work sent through the web app or CLI to a real worker (task queues only)."""
        return []

    def crash_combinations(self, combinations: Sequence[Combination]) -> list[Combination]:
        """Worker-kill, stop, poison and broker crash tests (task queues only)."""
        return []

    def workflow_combinations(self, combinations: Sequence[Combination]) -> list[Combination]:
        """Workflow runs: the project's components started on the host, runs triggered through
        its API, its processes killed (workflow engines only)."""
        return []


class TaskQueueAdapter(FrameworkAdapter):
    """A task queue: units of work sent through a web app or CLI to workers on a broker.

    Attributes:
        unit, units: the framework's unit of work, as its projects name it (`task`, `tasks`): the
            web API's paths (`POST /<units>/add`, `GET /<units>/<id>`) and its id field
            (`<unit>_id`).
        ready_log: what a worker writes to its log once it consumes work.
        success_state: the state `GET /<units>/<id>` (and the probe) report for a success.
        finished_states: every state after which a unit will not change any more.
        probe_files: the probe modules copied into a project's `src/` for crash tests; each
            framework's probe defines the functions the `submit_*` methods send
            (`record_and_wait`, `kill_own_process`, `always_transient`, `idempotent_side_effect`).
    """

    ready_log: ClassVar[str]
    unit: ClassVar[str]
    units: ClassVar[str]
    success_state: ClassVar[str] = "SUCCESS"
    finished_states: ClassVar[frozenset[str]] = frozenset({"SUCCESS", "FAILURE"})
    probe_files: ClassVar[tuple[Path, ...]] = ()

    @property
    def id_field(self) -> str:
        """The field that carries a unit's id in the web API and the CLI (`task_id`)."""
        return f"{self.unit}_id"

    @abstractmethod
    def dashboard(self, combination: Combination) -> Dashboard | None:
        """The dashboard the combination's compose file ships and its login; None without one."""

    @abstractmethod
    def scheduler_service(self, combination: Combination) -> str | None:
        """The compose service that sends periodic work; None where the combination has none."""

    def roundtrip_combinations(self, combinations: Sequence[Combination]) -> list[Combination]:
        """Round trip through the web app or CLI: every end-to-end combination."""
        return self.e2e_combinations(combinations)

    def crash_combinations(self, combinations: Sequence[Combination]) -> list[Combination]:
        """Worker-kill tests: one combination per broker."""
        return one_per_broker(self.e2e_combinations(combinations), first_web="django")

    # -- running the project ---------------------------------------------------------------

    def worker_command(self, project: Path, env: Mapping[str, str]) -> list[str]:
        """The compose file's `worker` command, as the host runs it from the project's venv."""
        return venv_args(project, host_command(load_compose(project), "worker", env))

    def service_command(
        self, project: Path, service: str, env: Mapping[str, str], directory: Path
    ) -> list[str]:
        """The compose file's command of `service`, as the host runs it from the project's venv;
        whatever it writes goes to `directory` (the project copy is shared between tests)."""
        return venv_args(project, host_command(load_compose(project), service, env))

    def another_worker(self, args: list[str], name: str) -> list[str]:
        """The worker command `args` for one more worker on this host, named `name` where the
        framework needs every worker of a host named apart."""
        return args

    def worker_service_env(self, project: Path, env: Mapping[str, str]) -> dict[str, str]:
        """`env` with the compose `worker` service's own `environment:` merged over it.

        What the service sets for its process (how it shuts down, its tunables) applies; the
        variables `env` already sets win, because they point the project at the local services
        where compose names its containers.
        """
        own = service_environment(load_compose(project), "worker", env)
        return {**env, **{name: value for name, value in own.items() if name not in env}}

    def worker_stop_grace_period(self, project: Path) -> float:
        """Seconds `docker stop` gives the compose `worker` between SIGTERM and SIGKILL."""
        return stop_grace_period(load_compose(project), "worker")

    # -- the probe: harness-owned work for crash tests ---------------------------------------

    def install_probe(self, project: Path) -> None:
        """Copy the probe modules into `src/` (the template itself carries no test switch)."""
        for probe in self.probe_files:
            shutil.copy2(probe, project / "src" / probe.name)

    @abstractmethod
    def probe_worker_command(self, project: Path, env: Mapping[str, str]) -> list[str]:
        """The documented worker command, made to load the probe as well."""

    @abstractmethod
    def killed_worker_rerun_within(self, combination: Combination) -> float | None:
        """Seconds within which the generated README says a killed worker's task runs again on
        another worker, with the shipped settings; None where that is too long to wait for in a
        test (the README then says how long, and the hard-kill test shortens it)."""

    def poison_redelivery_shortened(self, combination: Combination) -> bool:
        """Whether the poison test shortens redelivery (`fast_redelivery_env`): where every
        delivery of a unit that kills its worker waits for a killed worker's redelivery delay.
        The bound itself is the project's and does not depend on the delay."""
        return False

    @abstractmethod
    def redis_restart_mid_task(self, combination: Combination) -> MidTaskRestart | None:
        """What a Redis broker restart does to a worker running a unit (Redis brokers only);
        None where the crash tests run no such case (the adapter says why)."""

    @abstractmethod
    def fast_redelivery_env(self, broker: str) -> dict[str, str]:
        """Settings (environment) that shorten redelivery after a kill, for this test only."""

    @abstractmethod
    def send(
        self,
        project: Path,
        env: Mapping[str, str],
        probe: str,
        args: Sequence[Any],
        count: int = 1,
        quick_retry: bool = False,
    ) -> list[str]:
        """Submit `count` runs of the probe function `probe(*args)` the way the project submits
        its own work; return their ids.

        `quick_retry` keeps the project's retry bound and shortens only the wait between
        attempts, for probes that fail on purpose.
        """

    def submit_probe(
        self, project: Path, env: Mapping[str, str], key: str, gate: str, timeout: float, count: int
    ) -> list[str]:
        """Submit `count` probe tasks; each records its id in Redis list `key`, waits for `gate`."""
        return self.send(project, env, "record_and_wait", [key, gate, timeout], count)

    def submit_poison(self, project: Path, env: Mapping[str, str], key: str) -> str:
        """Submit one probe task that records each delivery in Redis list `key`, then kills its
        own process; return its id."""
        return self.send(project, env, "kill_own_process", [key], quick_retry=True)[0]

    def submit_failing(self, project: Path, env: Mapping[str, str], key: str) -> str:
        """Submit one probe task with the project's retry bound that records each attempt in Redis
        list `key` as JSON (`{"id": ..., "retries_left": ...}`), then raises a transient error;
        return its id."""
        return self.send(project, env, "always_transient", [key], quick_retry=True)[0]

    def submit_idempotent(
        self, project: Path, env: Mapping[str, str], key: str, gate: str, timeout: float
    ) -> str:
        """Submit one probe task that runs the project's idempotency helper around a side effect.

        Inside the block it appends its id to Redis list `<key>:started`, waits for `gate`, then
        appends its id to `<key>:done` (the side effect). Returns the task id.
        """
        return self.send(project, env, "idempotent_side_effect", [key, gate, timeout])[0]

    @abstractmethod
    def probe_client(
        self, project: Path, env: Mapping[str, str], args: list[str], timeout: float
    ) -> str:
        """Run the adapter's probe client with the project's Python; its standard output.

        Every client answers `wait TIMEOUT ID...` with the JSON object `wait_for_probe` returns.
        """

    def wait_for_probe(
        self, project: Path, env: Mapping[str, str], ids: Sequence[str], timeout: float
    ) -> dict[str, dict[str, Any]]:
        """Wait for the probe tasks and return {id: {"state": ..., "result": ...}}."""
        output = self.probe_client(project, env, ["wait", str(timeout), *ids], timeout + 60)
        outcome: dict[str, dict[str, Any]] = json.loads(output)
        return outcome

    def dead_lettered(self, project: Path, env: Mapping[str, str]) -> list[str]:
        """The task ids in the project's RabbitMQ dead-letter queues (taken off them); asked of
        frameworks that run on RabbitMQ only."""
        raise NotImplementedError(f"{self.name} declares no RabbitMQ dead-letter queues")

    @abstractmethod
    def failure_logger(self, project: Path) -> str:
        """The logger the project's failure hook writes to (the probe copies its records)."""

    def probe_env(
        self, project: Path, target: BrokerTarget, fast_redelivery: bool = True
    ) -> dict[str, str]:
        """Environment for the probe's worker and client: the broker, plus where to record.

        `fast_redelivery` shortens redelivery after a hard kill; tests of the shipped settings
        turn it off.
        """
        return {
            **target.env(),
            **(self.fast_redelivery_env(target.broker) if fast_redelivery else {}),
            "TQGEN_PROBE_REDIS_URL": target.results_url,
            # The probe imports the generated package's helpers (run_once, the failure logger).
            "TQGEN_PROBE_MODULE": generated_package(project),
            "PYTHONPATH": str(project / "src"),
        }
