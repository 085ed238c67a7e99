"""A generated README's "Without Docker" block, run as a user runs it: line by line, in a shell.

The lines that finish (an install, a migration, a CLI call) run to their end; every other one is a
service, started in the background for the rest of the caller's `ExitStack`, then stopped, and its
whole session ended: a service may leave processes in groups of their own (Airflow's tasks).
"""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from support.airflow_stack import kill_session
from support.processes import ProcessGroup, start
from support.uvenv import project_env, uv_binary


def readme_commands(readme: str) -> list[str]:
    """The command lines of the README's "Without Docker" block, comments left out."""
    section = readme.split("### Without Docker", 1)[1]
    block = section.split("```sh\n", 1)[1].split("\n```", 1)[0]
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def shell_env(project: Path, extra: dict[str, str]) -> dict[str, str]:
    """The project's environment as a user's shell has it: `uv` on the PATH (the README's
    prerequisite), no virtual environment activated."""
    env = project_env(project, extra)
    env["PATH"] = f"{Path(uv_binary()).parent}:{env['PATH']}"
    env.pop("VIRTUAL_ENV")
    return env


def logs(groups: Sequence[ProcessGroup]) -> str:
    """The end of what each service printed, for a failure message."""
    return "\n".join(f"--- {g.log.name}\n{g.output()[-3000:]}" for g in groups)


def run_commands(
    commands: Sequence[str],
    finishing: Sequence[re.Pattern[str]],
    project: Path,
    env: dict[str, str],
    stack: ExitStack,
    log_dir: Path,
) -> tuple[list[ProcessGroup], list[str]]:
    """Run `commands` in order in `project`: those matching `finishing` to their end (each must
    succeed), the others as services until `stack` closes. The services and the finished
    commands' standard output."""
    groups: list[ProcessGroup] = []
    outputs: list[str] = []
    for number, line in enumerate(commands):
        if any(pattern.search(line) for pattern in finishing):
            done = subprocess.run(
                ["bash", "-c", line],
                cwd=project,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}\n{logs(groups)}"
            outputs.append(done.stdout)
        else:
            log = log_dir / f"{number}-{shlex.split(line)[-1].replace('/', '-')}.log"
            group = start(["bash", "-c", f"exec {line}"], project, env, log)
            # Last in, first out: the group is stopped, then whatever is left of its session.
            stack.callback(kill_session, group.pid)
            stack.callback(group.stop)
            groups.append(group)
    return groups, outputs
