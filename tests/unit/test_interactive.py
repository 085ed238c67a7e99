"""The questionnaire on a real terminal (a pseudo-terminal driven by pexpect)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pexpect
import pytest

ENTER = "\r"
CTRL_C = "\x03"
DOWN = "\x1b[B"


def spawn(args: list[str], cwd: Path) -> pexpect.spawn:
    # prompt_toolkit asks the terminal for the cursor position and waits for a reply that
    # pexpect never sends; without this each prompt stalls.
    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    return pexpect.spawn(
        sys.executable,
        ["-m", "tqgen", *args],
        cwd=str(cwd),
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(50, 200),
    )


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
