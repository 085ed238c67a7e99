"""Start commands in their own process group and always take the whole group down."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
# prctl(2) option: the signal a process gets when its parent dies.
PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(
    probe: Callable[[], T | None], timeout: float, what: str, interval: float = 0.2
) -> T:
    """Call `probe` until it returns a truthy value, or raise TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        if value := probe():
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"gave up after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


class ProcessGroup:
    """A command running in a new session, its output captured to a log file."""

    def __init__(self, process: subprocess.Popen[bytes], log: Path) -> None:
        self.process = process
        self.log = log

    @property
    def pid(self) -> int:
        """The process id of the command (and id of its process group)."""
        return self.process.pid

    def output(self) -> str:
        """Everything the command printed so far (stdout and stderr)."""
        return self.log.read_text(errors="replace")

    def waiting_in(self) -> str:
        """Where each thread of the running command waits in the kernel, and its child processes
        (Linux /proc; "" elsewhere): tells a hung process from a busy one in a failure message."""
        try:
            tasks = sorted(Path(f"/proc/{self.pid}/task").iterdir(), key=lambda t: int(t.name))
            threads = [f"{t.name} {(t / 'wchan').read_text() or 'running'}" for t in tasks]
            children = (tasks[0] / "children").read_text().split()
        except (OSError, IndexError):
            return ""
        return f"threads waiting in: {', '.join(threads)}; child processes: {children}"

    def kill(self) -> None:
        """SIGKILL the whole process group at once (a machine going away) and reap the leader."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def docker_stop(self, grace: float) -> float:
        """Stop as `docker stop` does; return the seconds until the leader exited (or `grace`).

        SIGTERM goes to the leader only (Docker signals PID 1, the compose command); after
        `grace` seconds the whole group gets SIGKILL (Docker kills the container).
        """
        started = time.monotonic()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=grace)
        took = time.monotonic() - started
        self.kill()
        return took

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM the group, then SIGKILL it if it is still there after `grace` seconds."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=grace)
        # Children may outlive the leader; the group must be empty before the test goes on.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL me if the test process dies (Linux; elsewhere a no-op).

    A test run killed from outside (a timeout) runs no `finally`; without this its workers
    would go on consuming from the test brokers.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def start(args: Sequence[str], cwd: Path, env: Mapping[str, str], log: Path) -> ProcessGroup:
    """Start `args` in a session (and process group) of its own, its output going to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as sink:
        process = subprocess.Popen(
            list(args),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    return ProcessGroup(process, log)


@contextlib.contextmanager
def running(
    args: Sequence[str], cwd: Path, env: Mapping[str, str], log: Path
) -> Iterator[ProcessGroup]:
    """Run `args` in its own session for the duration of the block; stop its group after."""
    group = start(args, cwd, env, log)
    try:
        yield group
    finally:
        group.stop()


def listening_addresses(port: int) -> set[str]:
    """The local addresses on which some process listens on TCP `port` (IPv4 and IPv6).

    Read from /proc/net/tcp and tcp6, as `ss -ltn` does: `127.0.0.1`, `0.0.0.0`, `::1`, `::`.
    """
    addresses = set()
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state != "0A" or int(hex_port, 16) != port:  # 0A: LISTEN
                continue
            # The kernel prints each 32-bit word of the address in host (little-endian) order.
            words = (address[i : i + 8] for i in range(0, len(address), 8))
            raw = b"".join(bytes.fromhex(word)[::-1] for word in words)
            addresses.add(socket.inet_ntop(family, raw))
    return addresses
