"""The `tqgen` console script: stop signals are handled before anything else is imported.

Importing the command line (Typer) takes a good part of a second's tenth; a SIGTERM or SIGHUP in
that time would otherwise kill tqgen with the signal's own exit status instead of exit 2.
"""

from __future__ import annotations

import os
import sys

from tqgen import interrupts

# Typer's own exit status for a KeyboardInterrupt outside tqgen's commands (parsing options).
_TYPER_INTERRUPTED = 130


def main() -> None:
    """Console-script entry point."""
    try:
        # Inside the try: a signal that arrives while the handlers are being installed is
        # handled like any other.
        interrupts.install()
        from tqgen.cli import main as run

        run()
    except KeyboardInterrupt:
        _stopped()
    except SystemExit as exit_:
        if exit_.code == _TYPER_INTERRUPTED and interrupts.stopped():
            _stopped()
        raise
    finally:
        # What a signal kept from being cleaned up where it struck (see tqgen.scratch); a
        # command that never loaded scratch has nothing pending.
        interrupts.ignore_from_now()
        if scratch := sys.modules.get("tqgen.scratch"):
            scratch.run_pending()
        _drop_unwritable_output()


def _drop_unwritable_output() -> None:
    """Flush stdout now; if it cannot be written (a closed terminal), drop what is left.

    Python flushes it at exit, and a failure there would replace tqgen's exit code with 120.
    """
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except OSError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _stopped() -> None:
    sys.stderr.write("tqgen: error: interrupted; nothing was changed\n")
    raise SystemExit(2) from None
