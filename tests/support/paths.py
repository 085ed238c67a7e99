"""Where the repository under test and the harness's own files are."""

from __future__ import annotations

from pathlib import Path

# tests/support/paths.py -> the repository root (copier.yml, templates/, src/).
REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLS_DIR = REPO_ROOT / "tests" / "tools"
