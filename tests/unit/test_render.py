"""render.render against the tiny template: where the project lands, and what it never touches."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tqgen import render
from tqgen.errors import TargetNotEmptyError
from tqgen.template_source import find_template

ANSWERS = {"project_name": "demo", "framework": "alpha"}


def test_an_existing_empty_directory_keeps_its_permissions(tmp_path: Path):
    """The user's empty target directory receives the project with the mode it had."""
    target = tmp_path / "demo"
    target.mkdir(mode=0o750)
    target.chmod(0o750)
    render.render(find_template(), ANSWERS, target, init_git=False)
    assert stat.S_IMODE(target.stat().st_mode) == 0o750
    assert (target / "README.md").is_file()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["demo"]


def test_a_target_filled_meanwhile_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Files that appear in the target while tqgen renders are neither replaced nor removed."""
    target = tmp_path / "demo"
    target.mkdir()
    real_copy_folder = render.copy_folder

    def someone_else_writes_first(*args: object) -> None:
        (target / "README.md").write_text("theirs\n")
        real_copy_folder(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "copy_folder", someone_else_writes_first)
    with pytest.raises(TargetNotEmptyError, match="filled by someone else"):
        render.render(find_template(), ANSWERS, target, init_git=False)
    assert [path.name for path in target.iterdir()] == ["README.md"]
    assert (target / "README.md").read_text() == "theirs\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["demo"]
