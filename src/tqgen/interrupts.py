"""SIGINT, SIGTERM and SIGHUP all mean "stop and leave nothing behind".

Ctrl-C, `kill`, `timeout`, a CI cancel and a closed terminal send different signals, and
Python turns only SIGINT into an exception. Here all three raise KeyboardInterrupt, which every
command already handles by undoing its work. The first signal raises; later ones are ignored, so
the undoing itself cannot be cut short and leave a half-removed directory behind.

Python drops an exception raised inside a weakref callback or `__del__` (it prints "Exception
ignored" and goes on), so a signal that strikes there raises nothing the command sees. Each command
therefore passes `past_undoing()` before its work becomes the user's, which honours such a signal.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

# Only the command-line process installs handlers; a library caller (or a test runner calling
# the CLI in-process) keeps its own signal handling untouched.
_installed = False


def install() -> None:
    """Make each stop signal raise KeyboardInterrupt once (call from the main thread).

    A signal that was already ignored when tqgen started stays ignored (`nohup tqgen new ...`).
    """
    global _installed
    # Set first: a signal that arrives between two of these calls must find its way to ignore
    # the later ones.
    _installed = True
    sys.unraisablehook = _quiet_about_dropped_stops(sys.unraisablehook)
    for number in STOP_SIGNALS:
        if signal.getsignal(number) is not signal.SIG_IGN:
            signal.signal(number, _stop)


def ignore_from_now() -> None:
    """Ignore stop signals from here on: the work is past undoing, or being undone."""
    if not _installed:
        return
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)


def past_undoing() -> None:
    """Ignore stop signals from here on, but first honour one whose exception Python dropped.

    Raises:
        KeyboardInterrupt: A stop signal arrived and its exception never reached the command.
    """
    ignore_from_now()
    if _received:
        raise KeyboardInterrupt(signal.Signals(_received[0]).name)


_received: list[int] = []


def stopped() -> bool:
    """Whether a stop signal arrived since install()."""
    return bool(_received)


def _stop(number: int, frame: FrameType | None) -> None:
    _received.append(number)
    ignore_from_now()
    if not _end_running_prompt():
        raise KeyboardInterrupt(signal.Signals(number).name)


def _quiet_about_dropped_stops(
    report: Callable[[sys.UnraisableHookArgs], object],
) -> Callable[[sys.UnraisableHookArgs], object]:
    """Report unraisable exceptions as before, except a stop that `past_undoing()` will honour."""

    def hook(unraisable: sys.UnraisableHookArgs) -> object:
        if isinstance(unraisable.exc_value, KeyboardInterrupt) and _received:
            return None
        return report(unraisable)

    return hook


def _end_running_prompt() -> bool:
    """End a terminal question the way Ctrl-C does; False when none is being asked.

    Raised inside prompt_toolkit's event loop, KeyboardInterrupt would be reported as an
    unhandled exception and wait for ENTER; the question must end with it instead.
    """
    current = sys.modules.get("prompt_toolkit.application.current")
    app = current.get_app_or_none() if current is not None else None
    if app is None or not app.is_running or app.loop is None:
        return False
    app.loop.call_soon_threadsafe(lambda: app.exit(exception=KeyboardInterrupt))
    return True


def killed_by_signal(returncode: int) -> bool:
    """Whether a child process died of a stop signal (sent to the whole process group)."""
    return returncode < 0 and -returncode in STOP_SIGNALS
