"""The compose `worker` (and `web`) commands run on the host and execute a submitted task."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.brokers import BrokerTarget
from support.combinations import Combination
from support.compose import host_command, load_compose
from support.frameworks import FrameworkAdapter
from support.processes import ProcessGroup, free_port, running, wait_until
from support.tiers import roundtrip_combinations
from support.uvenv import project_env, run_in_project, venv_args
from support.webclient import answers_ok, request_json

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("combination", roundtrip_combinations(), ids=lambda c: c.id),
]

TIMEOUT = 60


def _logs(*groups: ProcessGroup) -> str:
    return "\n".join(f"--- {g.log.name}\n{g.output()[-4000:]}" for g in groups)


def _finished(base: str, unit_id: str, adapter: FrameworkAdapter) -> dict[str, Any] | None:
    status, body = request_json("GET", f"{base}/{adapter.units}/{unit_id}")
    assert status == 200, body
    return body if body["state"] in adapter.finished_states else None


class TestTaskRoundTrip:
    """`add(2, 3)` goes from the web app or the CLI through the broker to a worker and back.

    The web API's paths and id field are the framework's words (`POST /tasks/add` answers
    `task_id`, `POST /jobs/add` answers `job_id`): the adapter's `units` and `id_field`.
    """

    def test_add(
        self,
        installed_project: Path,
        broker_target: BrokerTarget,
        combination: Combination,
        adapter: FrameworkAdapter,
        tmp_path: Path,
    ) -> None:
        """The task submitted through the contract's entry point comes back a success with 5."""
        env = project_env(installed_project, broker_target.env())
        worker_args = adapter.worker_command(installed_project, env)
        with running(worker_args, installed_project, env, tmp_path / "worker.log") as worker:
            if combination.web == "none":
                result = run_in_project(
                    installed_project,
                    ["python", "-m", f"{combination.module}.cli", "add", "2", "3", "--wait"],
                    env=broker_target.env(),
                    timeout=TIMEOUT + 30,
                )
                assert result.returncode == 0, result.stderr + _logs(worker)
                assert result.stdout.strip() == "5", result.stdout
                return
            port = free_port()
            web_env = {**env, "PORT": str(port)}
            compose = load_compose(installed_project)
            web_args = venv_args(installed_project, host_command(compose, "web", web_env))
            with running(web_args, installed_project, web_env, tmp_path / "web.log") as web:
                base = f"http://127.0.0.1:{port}"
                try:
                    wait_until(lambda: answers_ok(f"{base}/health"), TIMEOUT, "GET /health")
                    add = f"{base}/{adapter.units}/add"
                    status, body = request_json("POST", add, {"x": 2, "y": 3})
                    assert status == 202, body
                    done = wait_until(
                        lambda: _finished(base, body[adapter.id_field], adapter),
                        TIMEOUT,
                        "a finished task",
                    )
                except (AssertionError, TimeoutError) as error:
                    pytest.fail(f"{error}\n{_logs(worker, web)}")
                assert done["state"] == adapter.success_state, done
                assert done["result"] == 5, done
                assert done[adapter.id_field] == body[adapter.id_field]
