"""The questionnaire on a real terminal (a pseudo-terminal driven by pexpect)."""

from __future__ import annotations

import io
import os
import re
import signal
import sys
import time
from pathlib import Path

import pexpect
import pytest
from support.paths import REPO_ROOT

from tqgen.catalog import Catalog
from tqgen.template_source import TEMPLATE_ENV

ENTER = "\r"
CTRL_C = "\x03"
CTRL_D = "\x04"
CTRL_U = "\x15"
DOWN = "\x1b[B"


def terminal_env(template: Path | None = None) -> dict[str, str]:
    """The environment of a terminal session; `template` replaces the tiny template."""
    # prompt_toolkit asks the terminal for the cursor position and waits for a reply that
    # pexpect never sends; without this each prompt stalls.
    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    if template is not None:
        env[TEMPLATE_ENV] = str(template)
    return env


def spawn(
    args: list[str], cwd: Path, columns: int = 200, template: Path | None = None
) -> pexpect.spawn:
    """tqgen on a pseudo-terminal of 50 lines and `columns` columns; its output is kept."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "tqgen", *args],
        cwd=str(cwd),
        env=terminal_env(template),
        encoding="utf-8",
        timeout=20,
        dimensions=(50, columns),
    )
    child.logfile_read = io.StringIO()
    return child


class TestQuestionnaire:
    def test_asks_what_was_not_given_and_renders(self, tmp_path: Path):
        """Every question not given is asked once; accepting the defaults renders the project."""
        child = spawn(["new", "demo", "--web", "spider", "--no-git"], tmp_path)
        prompts = ("Say what it does", "Pick a framework", "Pick a broker", "Pick a store")
        for prompt in (*prompts, "How big", "Tick periodically", "Watch it"):
            child.expect(prompt)
            child.send(ENTER)
        child.expect("Created")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
        answers = (tmp_path / "demo" / ".copier-answers.yml").read_text()
        assert "web: spider" in answers

    def test_impossible_choices_are_shown_disabled_with_their_reason(self, tmp_path: Path):
        """A disabled broker appears in the list with the reason from copier.yml."""
        child = spawn(["new", "demo", "--framework", "alpha", "-d", "description=x"], tmp_path)
        child.expect("Pick a broker")
        child.expect("gray never works")
        child.send(CTRL_C)
        child.expect(pexpect.EOF)
        child.close()

    def test_ctrl_c_halfway_exits_2_and_writes_nothing(self, tmp_path: Path):
        """Ctrl-C during the questionnaire prints one line, exits 2 and leaves no directory."""
        child = spawn(["new", "demo"], tmp_path)
        child.expect("Say what it does")
        child.send(ENTER)
        child.expect("Pick a framework")
        child.send(CTRL_C)
        child.expect("tqgen: error: cancelled; nothing was written")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 2
        assert list(tmp_path.iterdir()) == []

    @pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP], ids=lambda n: n.name)
    def test_signal_during_a_question_ends_it_like_ctrl_c(self, tmp_path: Path, number: int):
        """SIGTERM or SIGHUP while a question waits ends it cleanly: one line, exit 2, no files."""
        child = spawn(["new", "demo"], tmp_path)
        child.expect("Say what it does")
        child.kill(number)
        child.expect(pexpect.EOF)
        child.close()
        assert "Traceback" not in child.before
        assert "Unhandled exception" not in child.before
        assert "tqgen: error: cancelled; nothing was written" in child.before
        assert child.exitstatus == 2
        assert list(tmp_path.iterdir()) == []

    def test_ctrl_d_at_a_text_question_exits_2_and_writes_nothing(self, tmp_path: Path):
        """Ctrl-D (end of input) while a text question waits is one line, exit 2, no files."""
        child = spawn(["new", "demo"], tmp_path)
        child.expect("Say what it does")
        child.send(CTRL_U)  # the answer offered is the default: empty it first
        child.send(CTRL_D)
        child.expect(pexpect.EOF)
        child.close()
        assert "Traceback" not in child.before
        assert "Aborted" not in child.before
        assert "tqgen: error: cancelled; nothing was written" in child.before
        assert child.exitstatus == 2
        assert list(tmp_path.iterdir()) == []

    def test_a_closed_terminal_exits_2_with_one_line(self, tmp_path: Path):
        """The terminal goes away (its pty closed, SIGHUP) during a question: exit 2, one line
        on stderr (here a file), and nothing written."""
        err = tmp_path.parent / f"{tmp_path.name}-stderr.txt"
        command = f'exec "{sys.executable}" -m tqgen new demo 2>"{err}"'
        child = pexpect.spawn(
            "/bin/sh", ["-c", command], cwd=str(tmp_path), env=terminal_env(), timeout=20
        )
        child.expect("Say what it does")
        os.close(child.child_fd)  # the terminal window closes
        deadline = time.monotonic() + 20
        while (waited := os.waitpid(child.pid, os.WNOHANG)) == (0, 0):
            assert time.monotonic() < deadline, "tqgen did not exit"
            time.sleep(0.05)
        assert os.waitstatus_to_exitcode(waited[1]) == 2
        lines = err.read_text().splitlines()
        assert lines == ["tqgen: error: cancelled; nothing was written"], lines
        assert list(tmp_path.iterdir()) == []


def screen_text(output: str) -> str:
    """What a terminal showed, as plain words: escape sequences out, white space folded."""
    return " ".join(re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-B]|\r", " ", output).split())


class TestTheRealQuestionnaire:
    """The questions of tqgen's own copier.yml, on terminals of common widths."""

    @pytest.mark.parametrize("columns", [80, 120])
    def test_every_reason_is_shown_whole(self, tmp_path: Path, columns: int):
        """A disabled choice's reason wraps at the terminal's width instead of being cut."""
        child = spawn(
            ["new", "demo", "--framework", "celery", "-d", "description=x"],
            tmp_path,
            columns=columns,
            template=REPO_ROOT,
        )
        child.expect("Message broker")
        child.expect("a task broker for tasks")
        child.send(CTRL_C)
        child.expect(pexpect.EOF)
        child.close()
        catalog = Catalog.load(REPO_ROOT)
        [kafka] = [choice for choice in catalog["broker"].choices if choice.value == "kafka"]
        reason = catalog.disabled_reason(kafka, {"framework": "celery"})
        shown = screen_text(child.logfile_read.getvalue())
        assert reason in shown, shown

    def test_a_question_with_one_choice_left_is_answered_and_shown(self, tmp_path: Path):
        """RQ takes only Redis: the broker question is answered with it and shown answered."""
        child = spawn(
            ["new", "demo", "--framework", "rq", "-d", "description=x"],
            tmp_path,
            columns=120,
            template=REPO_ROOT,
        )
        child.expect(r"Message broker.*Redis \(the only choice\)")
        child.expect("Web app")  # asked next, without waiting for an answer to the broker
        child.send(CTRL_C)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 2
