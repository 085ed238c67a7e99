"""Keep a command running as a process supervisor does, and record how it exited.

systemd's `Restart=on-failure` (and supervisord's default `autorestart=unexpected`) start a
process again after a non-zero exit, never after exit 0; the generated READMEs tell users to
run each service that way outside Docker. A crash test runs every long-running service of a
project under a `Supervised`, so that a process that exits non-zero on an outage comes back, and
an exit 0 is seen for what it is: a service down for good.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from support.processes import ProcessGroup, start, wait_until

# systemd's RestartSec is 100 ms by default; a little more keeps a crash loop's log readable.
RESTART_DELAY = 0.5


class Supervised:
    """`args` run in `cwd` with `env`, restarted after every non-zero exit until stopped.

    Attributes:
        exits: the exit status of every run that ended on its own, in order.
    """

    def __init__(
        self, name: str, args: Sequence[str], cwd: Path, env: Mapping[str, str], log_dir: Path
    ) -> None:
        self.name = name
        self.args, self.cwd, self.env, self.log_dir = list(args), cwd, dict(env), log_dir
        self.exits: list[int] = []
        self.runs: list[ProcessGroup] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._supervise, daemon=True)

    def start(self) -> None:
        """Start the first run."""
        self._thread.start()

    @property
    def current(self) -> ProcessGroup | None:
        """The run going on now (None between runs, or after an exit 0)."""
        with self._lock:
            run = self.runs[-1] if self.runs else None
        return run if run is not None and run.process.poll() is None else None

    @property
    def restarts(self) -> int:
        """How many times the command was started again."""
        return max(len(self.runs) - 1, 0)

    @property
    def clean_exits(self) -> int:
        """Runs that ended with status 0: a supervisor would not have restarted them."""
        return self.exits.count(0)

    def _supervise(self) -> None:
        while True:
            with self._lock:
                if self._stopping.is_set():
                    return
                log = self.log_dir / f"{self.name}-{len(self.runs)}.log"
                run = start(self.args, self.cwd, self.env, log)
                self.runs.append(run)
            code = run.process.wait()
            if self._stopping.is_set():
                return
            self.exits.append(code)
            if code == 0:
                return
            time.sleep(RESTART_DELAY)

    def stop(self, grace: float = 10.0) -> None:
        """Stop supervising and stop the current run (SIGTERM to its group, SIGKILL after)."""
        with self._lock:
            self._stopping.set()
            runs = list(self.runs)
        for run in runs:
            run.stop(grace)
        self._thread.join(timeout=grace + 15)

    def logged(self, text: str) -> bool:
        """Whether any run wrote `text`."""
        return any(text in run.output() for run in self.runs)

    def output(self) -> str:
        """The end of every run's output, for a failure message; where a run still going waits."""
        return "\n".join(
            f"--- {run.log.name} (exit {run.process.returncode})\n{run.output()[-3000:]}"
            + (f"\n{run.waiting_in()}" if run.process.poll() is None else "")
            for run in self.runs
        )


@contextmanager
def supervised(
    name: str, args: Sequence[str], cwd: Path, env: Mapping[str, str], log_dir: Path
) -> Iterator[Supervised]:
    """A started `Supervised` for the block, stopped afterwards."""
    service = Supervised(name, args, cwd, env, log_dir)
    service.start()
    try:
        yield service
    finally:
        service.stop()


def failure(message: str, *services: Supervised) -> str:
    """A failure message: `message`, then the output of every service."""
    return "\n".join([message, *(service.output() for service in services)])


def wait_for(check: Callable[[], bool], timeout: float, what: str, *services: Supervised) -> None:
    """Wait until `check()` holds; fail the test with the services' output if it does not."""
    try:
        wait_until(check, timeout, what, interval=1)
    except TimeoutError as error:
        pytest.fail(failure(str(error), *services))
