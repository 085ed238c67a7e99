"""The answers file and pyproject.toml say what was chosen and parse as their formats."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import Requirement
from support.combinations import Combination
from support.gitrepo import TEMPLATE_TAG


def _pyproject(project: Path) -> dict[str, Any]:
    return tomllib.loads((project / "pyproject.toml").read_text())


class TestAnswersFile:
    """`.copier-answers.yml` lets `copier update` find the template again."""

    def test_source_and_commit(self, project: Path, template_repo: Path) -> None:
        """The answers file records the template repository and the tag it was rendered from."""
        answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
        assert answers["_src_path"] == str(template_repo)
        assert answers["_commit"] == TEMPLATE_TAG

    def test_answers(self, project: Path, combination: Combination) -> None:
        """Every answer of the combination is stored as given."""
        answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
        assert {key: answers.get(key) for key in combination.data} == combination.data


class TestPyproject:
    """pyproject.toml follows the template contract."""

    def test_project_table(self, project: Path, combination: Combination) -> None:
        """The package is named after the project and requires the chosen Python or newer."""
        data = _pyproject(project)["project"]
        assert data["name"] == combination.project_name
        assert data["requires-python"] == ">=3.11"

    def test_dev_group(self, project: Path) -> None:
        """A `dev` dependency group brings pytest and ruff for `uv sync` and `uv run pytest`."""
        dev = _pyproject(project).get("dependency-groups", {}).get("dev", [])
        names = {Requirement(item).name for item in dev if isinstance(item, str)}
        assert {"pytest", "ruff"} <= names, dev
