"""Install a generated project into its own virtual environment with uv, as its README says."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from support.paths import REPO_ROOT


def uv_binary() -> str:
    """The uv executable: the one the test extra installs, else the one on PATH."""
    try:
        from uv import find_uv_bin

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found is None:
            raise FileNotFoundError("uv is not installed (pip install -e '.[test]')") from None
        return found


def uv_cache_dir() -> Path:
    """The uv cache shared by the whole session (`TQGEN_UV_CACHE`, else <repo>/.cache/uv)."""
    return Path(os.environ.get("TQGEN_UV_CACHE") or REPO_ROOT / ".cache" / "uv")


def base_python() -> str:
    """The interpreter behind this test run's virtualenv, for the projects' own venvs."""
    return os.path.realpath(sys.executable)


def project_env(project: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for running a generated project's tools from its own `.venv`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "COV_", "UV_"))
        and key not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE"}
    }
    venv_bin = project / ".venv" / "bin"
    env.update(
        {
            "VIRTUAL_ENV": str(project / ".venv"),
            "PATH": f"{venv_bin}{os.pathsep}{env.get('PATH', '')}",
            "UV_CACHE_DIR": str(uv_cache_dir()),
            "UV_PYTHON_DOWNLOADS": "never",
            "UV_PYTHON": base_python(),
            "UV_NO_PROGRESS": "1",
            "PYTHONUNBUFFERED": "1",
            # Bytecode is cached inside .venv, never beside the project's sources: without a
            # cache each run (dozens for the mutation test) compiles Celery, Django and pytest
            # again, about 2 s every time.
            "PYTHONPYCACHEPREFIX": str(project / ".venv" / "pycache"),
        }
    )
    env.update(extra or {})
    return env


def uv_sync(project: Path) -> subprocess.CompletedProcess[str]:
    """`uv sync` in the project (creates .venv with the dev group), raising when it fails."""
    completed = subprocess.run(
        [uv_binary(), "sync"],
        cwd=project,
        env=project_env(project),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"uv sync failed in {project}:\n{completed.stderr}")
    return completed


def copy_project(source: Path, destination: Path) -> Path:
    """Copy a rendered project without its virtualenv or caches."""
    ignore = shutil.ignore_patterns(".venv", "__pycache__", ".ruff_cache", ".pytest_cache")
    shutil.copytree(source, destination, ignore=ignore)
    return destination


def venv_args(project: Path, args: list[str]) -> list[str]:
    """`args` with its program taken from the project's `.venv/bin` when it is installed there."""
    program = project / ".venv" / "bin" / args[0]
    return [str(program), *args[1:]] if "/" not in args[0] and program.exists() else args


def run_in_project(
    project: Path,
    args: list[str],
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run a command from the project's `.venv` in the project directory."""
    return subprocess.run(
        venv_args(project, args),
        cwd=project,
        env=project_env(project, env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def install_copy(source: Path, target: Path, prepare: Callable[[Path], None] | None = None) -> None:
    """Copy a rendered project to `target`, `prepare` the copy (e.g. add the probe), `uv sync`."""
    copy_project(source, target)
    if prepare is not None:
        prepare(target)
    uv_sync(target)
