"""SIGTERM, SIGHUP and SIGINT stop a running `tqgen new` cleanly: exit 2, nothing left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

STOP_SIGNALS = [signal.SIGTERM, signal.SIGHUP, signal.SIGINT]


def staging_dirs(out: Path) -> list[Path]:
    return sorted(out.glob(".demo.tqgen-*"))


def handles_signals(pid: int) -> bool:
    """Whether process pid catches SIGTERM: tqgen's own code is running (no longer Python's)."""
    status = Path(f"/proc/{pid}/status").read_text()
    caught = int(
        next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1], 16
    )
    return bool(caught & (1 << (signal.SIGTERM - 1)))


def after(seconds: float) -> Callable[[Path, Path], bool]:
    """Seconds after tqgen installed its signal handlers (set by wait_for)."""
    started: list[float] = []

    def reached(out: Path, tmp: Path) -> bool:
        if not started:
            started.append(time.monotonic())
        return time.monotonic() - started[0] >= seconds

    return reached


def staging_appears(out: Path, tmp: Path) -> bool:
    return bool(staging_dirs(out))


def template_snapshot_appears(out: Path, tmp: Path) -> bool:
    return any(tmp.glob("tqgen-template-*/template/copier.yml"))


def files_rendered(out: Path, tmp: Path) -> bool:
    return any((staging / "README.md").exists() for staging in staging_dirs(out))


# When the signal is sent: at start-up (imports, reading copier.yml), and while rendering.
MOMENTS: dict[str, Callable[[], Callable[[Path, Path], bool]]] = {
    "at-once": lambda: after(0),
    "after-100ms": lambda: after(0.1),
    "after-250ms": lambda: after(0.25),
    "staging-created": lambda: staging_appears,
    "template-copied": lambda: template_snapshot_appears,
    "files-rendered": lambda: files_rendered,
}


def wait_for(process: subprocess.Popen[str], moment: Callable[[Path, Path], bool], sandbox) -> bool:
    """Poll, once tqgen handles signals, until moment is reached (True) or tqgen ended (False).

    Before its handlers are installed the process is the interpreter starting up, which any
    program shares: a signal then ends it as the signal's default action says.
    """
    deadline = time.monotonic() + 30
    handling = False
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        handling = handling or handles_signals(process.pid)
        if handling and moment(sandbox.out, sandbox.tmp):
            return True
        time.sleep(0.002)
    process.kill()
    pytest.fail("tqgen never reached the moment to be signalled")


@pytest.mark.parametrize("number", STOP_SIGNALS, ids=lambda number: number.name)
@pytest.mark.parametrize("moment", list(MOMENTS), ids=str)
def test_signal_leaves_nothing_and_exits_2(sandbox, number: signal.Signals, moment: str):
    """A stop signal at any moment of `tqgen new` gives exit 2, one line, and no leftovers."""
    before = sandbox.tree()
    process = sandbox.start("new", "demo", "--defaults")
    reached = wait_for(process, MOMENTS[moment](), sandbox)
    if not reached:
        _, stderr = process.communicate()
        pytest.fail(f"tqgen finished before {moment} (exit {process.returncode}): {stderr}")
    process.send_signal(number)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines() == [stderr.strip()]
    assert "interrupted" in stderr
    assert sandbox.tree() == before


@pytest.mark.parametrize("number", STOP_SIGNALS, ids=lambda number: number.name)
def test_signal_to_the_process_group_during_the_first_commit(sandbox, number: signal.Signals):
    """A signal to the whole group (a terminal's Ctrl-C) while git commits leaves nothing."""
    before = sandbox.tree()
    process = sandbox.start("new", "demo", "--defaults", start_new_session=True)

    def committing(out: Path, tmp: Path) -> bool:
        return any((staging / ".git").exists() for staging in staging_dirs(out))

    if not wait_for(process, committing, sandbox):
        _, stderr = process.communicate()
        pytest.fail(f"tqgen finished before git started (exit {process.returncode}): {stderr}")
    os.killpg(process.pid, number)
    _, stderr = process.communicate(timeout=30)
    if process.returncode == 0:
        # The signal came after the project was moved into place: it is complete and kept.
        assert (sandbox.out / "demo" / ".git").is_dir()
        assert staging_dirs(sandbox.out) == []
        assert list(sandbox.tmp.iterdir()) == []
        return
    assert process.returncode == 2, stderr
    assert "Traceback" not in stderr
    assert sandbox.tree() == before


@pytest.fixture
def outdated_project(sandbox, make_template) -> Path:
    """A project of the tiny template's v0.1.0, whose template has released v0.2.0 since."""
    repo = make_template({}, tag="v0.1.0")
    sandbox.env["TQGEN_TEMPLATE"] = str(repo)
    result = sandbox.run("new", "demo", "--defaults")
    assert result.returncode == 0, result.stderr
    make_template({"templates/alpha/README.md.jinja": "# {{ project_name }}, v2\n"}, "v0.2.0", repo)
    return sandbox.out / "demo"


def nth_update_directory(count: int) -> Callable[[Path, Path], bool]:
    """The moment the count-th temporary directory of `tqgen update` appears.

    The first holds the template clone that finds the newest release (the check), the second
    the clones of the update itself.
    """
    seen: set[str] = set()

    def reached(out: Path, tmp: Path) -> bool:
        seen.update(path.name for path in tmp.glob("tqgen-update-*"))
        return len(seen) >= count

    return reached


def readme_updated(out: Path, tmp: Path) -> bool:
    try:
        return "v2" in (out / "demo" / "README.md").read_text()
    except OSError:
        return False


UPDATE_MOMENTS: dict[str, Callable[[], Callable[[Path, Path], bool]]] = {
    "at-once": lambda: after(0),
    "checking": lambda: nth_update_directory(1),
    "updating": lambda: nth_update_directory(2),
    "files-changed": lambda: readme_updated,
}


@pytest.mark.parametrize("number", STOP_SIGNALS, ids=lambda number: number.name)
@pytest.mark.parametrize("moment", list(UPDATE_MOMENTS), ids=str)
def test_signal_during_update_undoes_it(sandbox, outdated_project: Path, number, moment: str):
    """A stop signal during `tqgen update` exits 2 and leaves the project as it was."""
    before = sandbox.tree()
    process = sandbox.start("update", str(outdated_project))
    if not wait_for(process, UPDATE_MOMENTS[moment](), sandbox):
        _, stderr = process.communicate()
        pytest.fail(f"tqgen finished before {moment} (exit {process.returncode}): {stderr}")
    process.send_signal(number)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2, stderr
    assert "Traceback" not in stderr
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=outdated_project, capture_output=True, text=True
    )
    assert status.stdout == ""
    assert sandbox.tree() == before


# A tqgen command where a stop signal strikes inside a weakref callback (the import system's
# module locks use them) just before its last step: Python prints and drops the
# KeyboardInterrupt raised there, and the command goes on.
STRUCK_WHERE_PYTHON_DROPS_IT = """
import os, signal, sys, weakref
from tqgen import console, {module}

last_step = {module}.{function}

def struck_then_last_step(*args, **kwargs):
    class Doomed:
        pass

    def callback(_):
        os.kill(os.getpid(), signal.{signal})
        for _ in range(100_000):  # the handler runs here, inside the callback
            pass

    doomed = Doomed()
    ref = weakref.ref(doomed, callback)
    del doomed
    return last_step(*args, **kwargs)

{module}.{function} = struck_then_last_step
sys.argv = ["tqgen", *sys.argv[1:]]
console.main()
"""


@pytest.mark.parametrize("number", STOP_SIGNALS, ids=lambda number: number.name)
def test_signal_whose_exception_python_drops_still_stops_new(sandbox, number: signal.Signals):
    """A stop whose KeyboardInterrupt Python dropped is honoured before the project is kept."""
    before = sandbox.tree()
    script = STRUCK_WHERE_PYTHON_DROPS_IT.format(
        module="git", function="init_and_commit", signal=number.name
    )
    process = sandbox.start_python(script, "new", "demo", "--defaults")
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2, stderr
    assert stderr.strip().splitlines() == ["tqgen: error: interrupted; nothing was written"]
    assert sandbox.tree() == before


@pytest.mark.parametrize("number", STOP_SIGNALS, ids=lambda number: number.name)
def test_signal_whose_exception_python_drops_still_undoes_update(
    sandbox, outdated_project: Path, number: signal.Signals
):
    """A stop whose KeyboardInterrupt Python dropped is honoured before the update is kept."""
    before = sandbox.tree()
    script = STRUCK_WHERE_PYTHON_DROPS_IT.format(
        module="update", function="find_conflicts", signal=number.name
    )
    process = sandbox.start_python(script, "update", str(outdated_project))
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2, stderr
    assert stderr.strip().splitlines() == ["tqgen: error: interrupted; the update was undone"]
    assert sandbox.tree() == before


@pytest.mark.parametrize("number", STOP_SIGNALS, ids=lambda number: number.name)
def test_signal_while_filling_an_empty_mount_point_empties_it(sandbox, tmpfs, number):
    """Stopped while it fills a mounted empty target, tqgen leaves the target empty again."""
    mount = tmpfs(sandbox.out / "demo")
    before = sandbox.tree()
    process = sandbox.start("new", "demo", "--defaults")

    def filling(out: Path, tmp: Path) -> bool:
        return (mount / "README.md").exists()

    if not wait_for(process, filling, sandbox):
        _, stderr = process.communicate()
        pytest.fail(
            f"tqgen finished before filling the target (exit {process.returncode}): {stderr}"
        )
    process.send_signal(number)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2, stderr
    assert list(mount.iterdir()) == []
    assert sandbox.tree() == before
