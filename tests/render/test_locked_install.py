"""The image and CI install exactly what the committed uv.lock lists, or stop."""

from __future__ import annotations

import re
from pathlib import Path

UV_SYNC = re.compile(r"\buv sync\b[^\n]*")


def uv_syncs(path: Path) -> list[str]:
    """Every `uv sync` command line in a file."""
    return UV_SYNC.findall(path.read_text())


class TestLockedInstall:
    """Dockerfile and workflows of a rendered project."""

    def test_the_image_copies_the_lock_file(self, project: Path) -> None:
        """uv.lock is copied by name: a glob (`uv.lock*`) would build without it."""
        copies = [
            line for line in (project / "Dockerfile").read_text().splitlines() if "COPY" in line
        ]
        assert any(re.search(r"\suv\.lock(\s|$)", line) for line in copies), copies

    def test_every_install_is_locked(self, project: Path) -> None:
        """Each `uv sync` in the Dockerfile and the workflows refuses a missing or stale lock."""
        files = [project / "Dockerfile", *sorted((project / ".github" / "workflows").glob("*.yml"))]
        commands = [command for path in files for command in uv_syncs(path)]
        assert commands, "no uv sync found"
        unlocked = [command for command in commands if "--locked" not in command.split()]
        assert not unlocked, unlocked
