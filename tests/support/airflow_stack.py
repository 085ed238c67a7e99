"""Run an Airflow 3 project's components on the host, drive DAG runs and break them on purpose.

An `AirflowStack` gives one test an Airflow of its own: a PostgreSQL database, an AIRFLOW_HOME, an
API server port and log server ports nobody else uses (tests run in parallel under xdist), a JWT
secret and an admin login. It migrates the database, starts the components from the project's
compose commands, each in a session of its own, waits until the API server reports them healthy
and stops them all at the end, leaving no process behind.

Airflow puts every task process in a process group of its own (the supervisor signals the task's
whole tree that way), so a component's process group does not hold its tasks: the stack kills and
checks whole sessions instead, which every descendant keeps.

Finding a task's processes: the API server reports each running task instance's `pid`, the task
process (the one that runs the task's code); its parent is the supervisor (with LocalExecutor a
worker process of the scheduler, with CeleryExecutor a pool process of the Celery worker).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from support.databases import POSTGRES_USER, DatabaseTarget, isolated_database
from support.processes import ProcessGroup, free_port, listening_addresses, start, wait_until
from support.services import POSTGRES_HOST, POSTGRES_PORT
from support.webclient import request_json

# The components' roles, recognised from their command line (compose service names vary).
API_SERVER = "api-server"
SCHEDULER = "scheduler"
DAG_PROCESSOR = "dag-processor"
TRIGGERER = "triggerer"
CELERY_WORKER = "celery worker"
MIGRATE = "db migrate"
_ROLE_WORDS = {
    ("api-server",): API_SERVER,
    ("scheduler",): SCHEDULER,
    ("dag-processor",): DAG_PROCESSOR,
    ("triggerer",): TRIGGERER,
    ("celery", "worker"): CELERY_WORKER,
    ("db", "migrate"): MIGRATE,
}
# The health endpoint's name of each component that it reports on.
_HEALTH_KEYS = {SCHEDULER: "scheduler", DAG_PROCESSOR: "dag_processor", TRIGGERER: "triggerer"}

# SIGTERM to the scheduler can hang in LocalExecutor.end(); after this the session gets SIGKILL.
STOP_GRACE = 15.0
HEALTHY_TIMEOUT = 180.0
MIGRATE_TIMEOUT = 300.0
WARM_TIMEOUT = 180.0
# A task's calls to the execution API time out after this ([workers] execution_api_timeout).
TASK_CALL_TIMEOUT = 5.0
# The REST API can answer slowly while the machine is loaded; a poll waits this long for it.
API_CALL_TIMEOUT = 60.0
FINISHED_RUN_STATES = frozenset({"success", "failed"})

# Settings a project may choose itself; the stack fills them in only where the caller did not.
# Airflow's defaults fork 32 executor workers, 4 API server workers and 16 Celery pool
# processes: too many for 2 cores.
DEFAULT_SETTINGS = {
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__PARALLELISM": "4",
    "AIRFLOW__API__WORKERS": "1",
    "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
}


@dataclass(frozen=True)
class TaskInstance:
    """One try of a task instance as the REST API reports it."""

    task_id: str
    state: str | None
    try_number: int
    pid: int | None
    hostname: str | None
    # Seconds the try ran (None until it ended).
    duration: float | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> TaskInstance:
        """Read the fields the crash tests and the benchmarks use from a REST API task instance."""
        duration = data.get("duration")
        return cls(
            task_id=data["task_id"],
            state=data.get("state"),
            try_number=int(data.get("try_number") or 0),
            pid=data.get("pid"),
            hostname=data.get("hostname"),
            duration=None if duration is None else float(duration),
        )


class ApiError(RuntimeError):
    """The REST API answered with an error status."""


@dataclass(frozen=True)
class ProcessInfo:
    """A process's identity from /proc/<pid>/stat, and its title (setproctitle rewrites it)."""

    pid: int
    ppid: int
    pgid: int
    sid: int
    state: str
    title: str

    @property
    def alive(self) -> bool:
        """Whether it still runs (a zombie has exited, only its exit status is left)."""
        return self.state not in {"Z", "X"}


def process_info(pid: int) -> ProcessInfo | None:
    """The process `pid`, or None when there is none."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        title = (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces or parentheses itself.
    fields = stat[stat.rindex(")") + 2 :].split()
    state, ppid, pgid, sid = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
    return ProcessInfo(pid, ppid, pgid, sid, state, title.strip())


def all_processes() -> Iterator[ProcessInfo]:
    """Every process on the machine that is still running."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (info := process_info(int(entry.name))) and info.alive:
            yield info


def session_members(sid: int) -> list[ProcessInfo]:
    """The running processes of session `sid` (a component and every descendant it started)."""
    return [info for info in all_processes() if info.sid == sid]


def kill_pid(pid: int, sig: signal.Signals = signal.SIGKILL) -> None:
    """Send `sig` to one process (a task process, a supervisor), if it still exists."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def kill_session(sid: int, timeout: float = 10.0) -> None:
    """SIGKILL every process of session `sid` until none is left (raises if one survives)."""

    def emptied() -> bool:
        members = session_members(sid)
        for member in members:
            kill_pid(member.pid)
        return not members

    wait_until(emptied, timeout, f"session {sid} to end", interval=0.1)


def parent_pid(pid: int) -> int:
    """The parent of process `pid`: the supervisor of a task process."""
    info = process_info(pid)
    if info is None:
        raise ProcessLookupError(f"no process {pid}")
    return info.ppid


def wait_for_pid_file(path: Path, timeout: float = 60.0) -> int:
    """The last pid a task wrote to `path` (one line per execution), once there is one."""

    def last_pid() -> int | None:
        lines = path.read_text().split() if path.exists() else []
        return int(lines[-1]) if lines else None

    return wait_until(last_pid, timeout, f"a pid in {path}")


def fernet_key() -> str:
    """A Fernet key (Airflow's `[core] fernet_key`), as `cryptography`'s `Fernet.generate_key()`
    makes one."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def component_role(args: Sequence[str]) -> str | None:
    """The Airflow component a command starts (`scheduler`, `celery worker`...), or None."""
    for index, arg in enumerate(args):
        if Path(arg).name == "airflow":
            words = tuple(word for word in args[index + 1 :] if not word.startswith("-"))
            return next(
                (role for prefix, role in _ROLE_WORDS.items() if words[: len(prefix)] == prefix),
                None,
            )
    return None


def with_option(args: Sequence[str], names: Sequence[str], value: str) -> list[str]:
    """`args` with option `names` (long and short spelling) set to `value`, replaced or added."""
    result: list[str] = []
    skip_next = False
    for arg in args:
        if skip_next:
            skip_next = False
        elif arg in names:
            skip_next = True
        elif not any(arg.startswith(f"{name}=") for name in names if name.startswith("--")):
            result.append(arg)
    return [*result, names[0], value]


def _program_from_venv(args: Sequence[str], airflow: Path) -> list[str]:
    """`args` with `airflow` (as compose runs it from the image's PATH) taken from the venv."""
    return [str(airflow) if Path(arg).name == "airflow" else arg for arg in args]


@dataclass
class Component:
    """One Airflow component and each time it was started (the last one is current)."""

    name: str
    role: str
    args: list[str]
    runs: list[ProcessGroup] = field(default_factory=list)

    @property
    def current(self) -> ProcessGroup:
        """The latest run."""
        return self.runs[-1]

    def running(self) -> bool:
        """Whether the latest run's leader is still there."""
        return bool(self.runs) and self.current.process.poll() is None

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the latest run's output, for a failure message."""
        return f"--- {self.name} ({self.current.log})\n{self.current.output()[-chars:]}"


class AirflowStack:
    """An Airflow of one test's own, its components running on the host; a context manager.

    Args:
        project: the project directory (the components' working directory).
        airflow: the `airflow` executable of the project's venv.
        commands: compose service name -> its command for the host (`compose.host_command`).
            Airflow components are recognised by their arguments; other services are ignored, the
            triggerer too unless `with_triggerer`. A `db migrate` service replaces the default
            migration command.
        env: the base environment (the project's settings: executor, broker, timeouts...).
        work_dir: where AIRFLOW_HOME, the passwords file and the components' logs go.
        dags_folder: the DAGs to run (default `<project>/dags`).
        with_triggerer: start the triggerer (only deferrable tasks need it).
    """

    def __init__(
        self,
        project: Path,
        airflow: Path,
        commands: Mapping[str, Sequence[str]],
        env: Mapping[str, str],
        work_dir: Path,
        *,
        dags_folder: Path | None = None,
        with_triggerer: bool = False,
    ) -> None:
        self.project, self.airflow, self.work_dir = project, airflow, work_dir
        self.home = work_dir / "airflow-home"
        self.log_dir = work_dir / "logs"
        self.dags_folder = dags_folder or project / "dags"
        self.username, self.password = "admin", secrets.token_urlsafe(16)
        self.api_port, self.worker_log_port = free_port(), free_port()
        self.trigger_log_port = free_port()
        # A queue of the stack's own: CeleryExecutor sends there, only this stack's worker reads.
        self.celery_queue = f"tqgen-{uuid.uuid4().hex[:8]}"
        self.base_env = dict(env)
        self.env: dict[str, str] = {}
        self.database: DatabaseTarget | None = None
        self.components = self._components(commands, with_triggerer)
        self.migrate_args = self._migrate_args(commands)
        self.timings: dict[str, float] = {}
        self._token: str | None = None
        self._exit = contextlib.ExitStack()

    # --- setting up -------------------------------------------------------------------------

    def _components(
        self, commands: Mapping[str, Sequence[str]], with_triggerer: bool
    ) -> dict[str, Component]:
        components = {}
        for name, args in commands.items():
            role = component_role(args)
            if role is None or role == MIGRATE or (role == TRIGGERER and not with_triggerer):
                continue
            components[name] = Component(name, role, self._host_args(role, args))
        missing = {API_SERVER, SCHEDULER, DAG_PROCESSOR} - {c.role for c in components.values()}
        if missing:
            raise ValueError(f"no command for the Airflow components {sorted(missing)}")
        return components

    def _migrate_args(self, commands: Mapping[str, Sequence[str]]) -> list[str]:
        given = [args for args in commands.values() if component_role(args) == MIGRATE]
        return _program_from_venv(given[0] if given else ["airflow", "db", "migrate"], self.airflow)

    def _host_args(self, role: str, args: Sequence[str]) -> list[str]:
        """The command with the ports and names that keep parallel stacks apart."""
        host_args = _program_from_venv(args, self.airflow)
        if role == API_SERVER:
            host_args = with_option(host_args, ("--port", "-p"), str(self.api_port))
            host_args = with_option(host_args, ("--host", "-H"), "127.0.0.1")
        if role == CELERY_WORKER:
            host_args = with_option(host_args, ("--queues", "-q"), self.celery_queue)
            # Celery workers of one machine need distinct node names (`%h`: the host name).
            host_args = with_option(
                host_args, ("--celery-hostname", "-H"), f"{self.celery_queue}@%h"
            )
        return host_args

    @property
    def base_url(self) -> str:
        """The API server's root URL."""
        return f"http://127.0.0.1:{self.api_port}"

    def _database_url(self, database: DatabaseTarget) -> str:
        return (
            f"postgresql+psycopg2://{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/{database.name}"
        )

    def _stack_env(self, database: DatabaseTarget) -> dict[str, str]:
        """The settings the stack owns, overriding the base environment's."""
        passwords = self.home / "simple_auth_manager_passwords.json"
        return {
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_folder),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self._database_url(database),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__API__BASE_URL": self.base_url,
            # Tasks report to the API server through this URL; its default assumes port 8080.
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.base_url}/execution/",
            # Every component signs and checks task tokens with the same secret (>= 64 bytes).
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(64),
            "AIRFLOW__API__SECRET_KEY": secrets.token_hex(32),
            "AIRFLOW__CORE__AUTH_MANAGER": (
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{self.username}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            # serve-logs of the scheduler or Celery worker, and of the triggerer (8793, 8794).
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(self.worker_log_port),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(self.trigger_log_port),
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": self.celery_queue,
            "PATH": f"{self.airflow.parent}{os.pathsep}{self.base_env.get('PATH', os.defpath)}",
            "PYTHONUNBUFFERED": "1",
        }

    def _write_passwords_file(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        passwords = Path(self.env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
        passwords.write_text(json.dumps({self.username: self.password}))

    def _migrate(self) -> None:
        log = self.log_dir / "db-migrate.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as sink:
            completed = subprocess.run(
                self.migrate_args,
                cwd=self.project,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                timeout=MIGRATE_TIMEOUT,
                check=False,
            )
        if completed.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed:\n{log.read_text()[-3000:]}")

    def __enter__(self) -> AirflowStack:
        try:
            self.database = self._exit.enter_context(isolated_database())
            self.env = {**DEFAULT_SETTINGS, **self.base_env, **self._stack_env(self.database)}
            self._write_passwords_file()
            self._exit.callback(self.stop_all)
            self._timed("migrate", self._migrate)
            self._timed("healthy", self._start_and_wait_healthy)
            self._timed("execution API built", self.warm_execution_api)
        except BaseException:
            self._exit.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._exit.close()

    def _timed(self, what: str, step: Callable[[], None]) -> None:
        started = time.monotonic()
        step()
        self.timings[what] = time.monotonic() - started

    # --- components -------------------------------------------------------------------------

    def component(self, role_or_name: str) -> Component:
        """A component by compose service name or by role (`scheduler`, `celery worker`...)."""
        if role_or_name in self.components:
            return self.components[role_or_name]
        matches = [c for c in self.components.values() if c.role == role_or_name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} components are {role_or_name!r}")
        return matches[0]

    def start_component(self, role_or_name: str) -> ProcessGroup:
        """Start a component (again), in a session of its own, its output in a log of this run."""
        component = self.component(role_or_name)
        log = self.log_dir / f"{component.name}-{len(component.runs)}.log"
        run = start(component.args, self.project, self.env, log)
        component.runs.append(run)
        return run

    def _start_and_wait_healthy(self) -> None:
        for name in self.components:
            self.start_component(name)
        self.wait_healthy()

    def kill_component(self, role_or_name: str) -> None:
        """SIGKILL a component and everything it started (its whole session), as a host dying does.

        This includes the task processes and supervisors of LocalExecutor (the scheduler's) or of a
        Celery worker, and the serve-logs process.
        """
        run = self.component(role_or_name).current
        kill_session(run.pid)
        run.process.wait(timeout=10)

    def kill_component_leader(self, role_or_name: str) -> None:
        """SIGKILL only the component's main process; its children (running tasks) live on."""
        run = self.component(role_or_name).current
        kill_pid(run.pid)
        run.process.wait(timeout=10)

    def stop_component(self, role_or_name: str, grace: float = STOP_GRACE) -> float:
        """SIGTERM the component's process group, SIGKILL its session after `grace` seconds.

        Returns the seconds until the main process exited (or `grace`).
        """
        return self._stop_runs([self.component(role_or_name).current], grace)

    def restart_component(self, role_or_name: str) -> ProcessGroup:
        """Stop a component that still runs (SIGTERM, then SIGKILL), then start it again."""
        component = self.component(role_or_name)
        if component.running():
            self.stop_component(role_or_name)
        return self.start_component(role_or_name)

    def _stop_runs(self, runs: Sequence[ProcessGroup], grace: float) -> float:
        started = time.monotonic()
        for run in runs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(run.pid, signal.SIGTERM)
        for run in runs:
            left = max(grace - (time.monotonic() - started), 0.0)
            with contextlib.suppress(subprocess.TimeoutExpired):
                run.process.wait(timeout=left)
        took = time.monotonic() - started
        for run in runs:
            kill_session(run.pid)
            run.process.wait(timeout=10)
        return min(took, grace)

    def stop_all(self, grace: float = STOP_GRACE) -> None:
        """Stop every component at once (SIGTERM, SIGKILL after `grace`); check nothing is left.

        SIGTERM does not end a running task (the task process only calls the operator's
        `on_kill()`), and the scheduler waits for it in `LocalExecutor.end()`: with a task
        running, the stop takes the whole grace. The sessions of earlier runs are killed too: a
        component killed without its session may have left task processes behind.
        """
        self._stop_runs([c.current for c in self.components.values() if c.running()], grace)
        for component in self.components.values():
            for run in component.runs:
                kill_session(run.pid)
        if leftovers := self.leftover_processes():
            raise RuntimeError(f"processes outlived the stack: {leftovers}")
        ports = (self.api_port, self.worker_log_port, self.trigger_log_port)
        if busy := [port for port in ports if listening_addresses(port)]:
            raise RuntimeError(f"ports still listened on after the stack stopped: {busy}")

    def leftover_processes(self) -> list[ProcessInfo]:
        """Processes of any session the stack started that still run."""
        return [info for info in all_processes() if self.owns(info.pid)]

    def logs(self) -> str:
        """The end of every component's latest log, for a failure message."""
        return "\n".join(c.log_tail() for c in self.components.values())

    # --- health -----------------------------------------------------------------------------

    def health(self) -> dict[str, Any] | None:
        """The API server's health report, or None while it does not answer."""
        try:
            status, body = request_json("GET", f"{self.base_url}/api/v2/monitor/health", timeout=5)
        except OSError:
            return None
        return body if status == 200 and isinstance(body, dict) else None

    def _healthy(self) -> bool:
        if dead := [c.name for c in self.components.values() if not c.running()]:
            raise RuntimeError(f"components exited while starting: {dead}\n{self.logs()}")
        report = self.health()
        if report is None:
            return False
        keys = ["metadatabase"] + [
            _HEALTH_KEYS[c.role] for c in self.components.values() if c.role in _HEALTH_KEYS
        ]
        return all((report.get(key) or {}).get("status") == "healthy" for key in keys) and all(
            self._celery_worker_ready(c) for c in self.components.values()
        )

    @staticmethod
    def _celery_worker_ready(component: Component) -> bool:
        """A Celery worker is ready once it says so (`<node name> ready.`); others are."""
        return component.role != CELERY_WORKER or " ready." in component.current.output()

    def wait_healthy(self, timeout: float = HEALTHY_TIMEOUT) -> None:
        """Wait until the API server reports every started component healthy."""
        try:
            wait_until(self._healthy, timeout, "the Airflow components to be healthy", interval=1)
        except TimeoutError as error:
            raise TimeoutError(f"{error}: {self.health()}\n{self.logs()}") from None

    def warm_execution_api(self, timeout: float = WARM_TIMEOUT) -> None:
        """Have every API server worker build its execution API before a task calls it.

        Cadwyn builds the execution API's versioned routes on the first request a worker serves
        there, inside its event loop: that worker answers nothing meanwhile (20-35 s on two
        loaded cores, measured), so the first task's calls time out and the REST API stalls.
        Rounds of concurrent requests, two per worker, until a whole round is answered within a
        task's call timeout: a worker still building would hold its requests longer.
        """
        workers = int(self.env.get("AIRFLOW__API__WORKERS", "4"))
        url = f"{self.base_url}/execution/health"

        def answer_time(_: int) -> float:
            started = time.monotonic()
            status, body = request_json("GET", url, timeout=timeout)
            if status != 200:
                raise ApiError(f"GET /execution/health answered {status}: {body}")
            return time.monotonic() - started

        def round_answered_in_time() -> bool:
            with ThreadPoolExecutor(2 * workers) as pool:
                return max(pool.map(answer_time, range(2 * workers))) < TASK_CALL_TIMEOUT

        wait_until(round_answered_in_time, timeout, "the API server workers' execution API", 0)

    # --- REST API ---------------------------------------------------------------------------

    def token(self) -> str:
        """A bearer token for the admin user (`POST /auth/token`), fetched once."""
        if self._token is None:
            status, body = request_json(
                "POST",
                f"{self.base_url}/auth/token",
                {"username": self.username, "password": self.password},
            )
            if status != 201:
                raise ApiError(f"POST /auth/token answered {status}: {body}")
            self._token = str(body["access_token"])
        return self._token

    def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call the REST API as the admin user; the decoded answer, raising on an error status."""
        headers = {"Authorization": f"Bearer {self.token()}"}
        status, answer = request_json(
            method, f"{self.base_url}{path}", body, API_CALL_TIMEOUT, headers
        )
        if status >= 400:
            raise ApiError(f"{method} {path} answered {status}: {answer}")
        return answer

    def wait_for_dag(self, dag_id: str, timeout: float = 60.0) -> None:
        """Wait until the DAG processor has parsed and stored the DAG."""

        def known() -> bool:
            try:
                self.api("GET", f"/api/v2/dags/{dag_id}")
            except ApiError:
                return False
            return True

        wait_until(known, timeout, f"DAG {dag_id} to be parsed", interval=1)

    def unpause(self, dag_id: str) -> None:
        """Unpause a DAG (they start paused unless `dags_are_paused_at_creation` is off)."""
        self.api("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})

    def trigger(self, dag_id: str, conf: Mapping[str, Any] | None = None) -> str:
        """Wait for the DAG, unpause it and trigger a run now; the run's id."""
        self.wait_for_dag(dag_id)
        self.unpause(dag_id)
        return self.start_run(dag_id, conf)

    def start_run(self, dag_id: str, conf: Mapping[str, Any] | None = None) -> str:
        """Trigger a run now of a DAG known and unpaused; the run's id."""
        # A manual run has no data interval of its own: logical_date null, as the UI sends.
        run = self.api(
            "POST",
            f"/api/v2/dags/{dag_id}/dagRuns",
            {"logical_date": None, "conf": dict(conf or {})},
        )
        return str(run["dag_run_id"])

    def run_state(self, dag_id: str, run_id: str) -> str | None:
        """A DAG run's state (`queued`, `running`, `success`, `failed`)."""
        state = self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}").get("state")
        return None if state is None else str(state)

    def task_instances(self, dag_id: str, run_id: str) -> list[TaskInstance]:
        """The run's task instances, each at its latest try."""
        answer = self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances")
        return [TaskInstance.from_api(item) for item in answer["task_instances"]]

    def task_instance(self, dag_id: str, run_id: str, task_id: str) -> TaskInstance:
        """One task instance of the run, at its latest try."""
        answer = self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}")
        return TaskInstance.from_api(answer)

    def tries(self, dag_id: str, run_id: str, task_id: str) -> list[TaskInstance]:
        """Every try of one task instance so far, the latest included."""
        path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/tries"
        return [TaskInstance.from_api(item) for item in self.api("GET", path)["task_instances"]]

    def wait_for_run(
        self,
        dag_id: str,
        run_id: str,
        timeout: float,
        states: frozenset[str] = FINISHED_RUN_STATES,
        interval: float = 1,
    ) -> str:
        """Wait until the run is in one of `states` (by default finished), looking every
        `interval` seconds; that state."""

        def reached() -> str | None:
            state = self.run_state(dag_id, run_id)
            return state if state in states else None

        try:
            return wait_until(
                reached,
                timeout,
                f"run {run_id} of {dag_id} to be {sorted(states)}",
                interval=interval,
            )
        except TimeoutError as error:
            instances = self.task_instances(dag_id, run_id)
            raise TimeoutError(f"{error}; task instances: {instances}\n{self.logs()}") from None

    def wait_for_running_task(
        self, dag_id: str, run_id: str, task_id: str, timeout: float = 60.0, min_try: int = 1
    ) -> TaskInstance:
        """Wait until try `min_try` (or a later one) of the task runs with a known pid."""

        def running() -> TaskInstance | None:
            instance = self.task_instance(dag_id, run_id, task_id)
            ok = instance.state == "running" and instance.pid and instance.try_number >= min_try
            return instance if ok else None

        return wait_until(running, timeout, f"{dag_id}.{task_id} try {min_try} to run", 0.5)

    def task_process(self, dag_id: str, run_id: str, task_id: str, min_try: int = 1) -> int:
        """The pid of the process running the task's code, once try `min_try` runs.

        The API's `pid` is the task process's (a task that writes `os.getpid()` agrees); it is
        checked to be a process of this stack, so a recycled pid is never killed by mistake.
        """
        pid = self.wait_for_running_task(dag_id, run_id, task_id, min_try=min_try).pid
        assert pid is not None
        if not self.owns(pid):
            raise ProcessLookupError(f"task process {pid} is not a process of this stack")
        return pid

    def supervisor_process(self, task_pid: int) -> int:
        """The supervisor of a task process: a LocalExecutor worker or a Celery pool process."""
        supervisor = parent_pid(task_pid)
        if not self.owns(supervisor):
            raise ProcessLookupError(f"the parent {supervisor} of {task_pid} is not the stack's")
        return supervisor

    def owns(self, pid: int) -> bool:
        """Whether `pid` runs in a session the stack started."""
        info = process_info(pid)
        sids = {run.pid for c in self.components.values() for run in c.runs}
        return info is not None and info.alive and info.sid in sids
