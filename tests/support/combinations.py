"""The supported answer combinations, as `tqgen.catalog` reads them from copier.yml.

Nothing here lists frameworks, brokers or web choices by hand: the CLI's catalog evaluates
copier.yml's `when` and per-choice validators the way Copier does, and the tests use the same
reading, so the CLI and the harness can never disagree about what is supported. Which of them
each tier runs is the framework adapters' decision (`support.tiers`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from support.names import DEFAULT_NAME, module_name
from support.paths import REPO_ROOT
from tqgen.catalog import Catalog

__all__ = ["REPO_ROOT", "Combination", "combinations_from", "supported_combinations"]


@dataclass(frozen=True)
class Combination:
    """One supported set of answers, rendered under one project name.

    Attributes:
        answers: the combination's answers (framework, broker, web), in questionnaire order.
        options: extra answers that vary an option (for example `periodic_tasks=False`).
        project_name: the project name it is rendered under.
    """

    answers: Mapping[str, str]
    options: Mapping[str, Any] = field(default_factory=dict)
    project_name: str = DEFAULT_NAME

    @property
    def id(self) -> str:
        """A readable pytest id: `celery-redis-fastapi`, `...-monitoring=false`, `...-name=a`."""
        parts = [str(value) for value in self.answers.values()]
        parts += [f"{key}={value}".lower() for key, value in self.options.items()]
        if self.project_name != DEFAULT_NAME:
            parts.append(f"name={self.project_name}")
        return "-".join(parts)

    @property
    def framework(self) -> str:
        """The task framework."""
        return self.answers["framework"]

    @property
    def broker(self) -> str:
        """The message broker; `none` where the combination has none (Airflow's local executor)."""
        return self.answers.get("broker", "none")

    @property
    def web(self) -> str:
        """The web framework, or `none`."""
        return self.answers["web"]

    @property
    def module(self) -> str:
        """The generated package's import name."""
        return module_name(self.project_name)

    @property
    def data(self) -> dict[str, Any]:
        """The `data=` mapping handed to Copier (other questions take their defaults)."""
        return {"project_name": self.project_name, **self.answers, **self.options}

    def with_options(self, **options: Any) -> Combination:
        """Return this combination with extra answers, its id naming them."""
        return replace(self, options={**self.options, **options})

    def named(self, project_name: str) -> Combination:
        """This combination rendered under `project_name` (the id names it unless default)."""
        return replace(self, project_name=project_name)


def combinations_from(template_root: Path) -> list[Combination]:
    """Every supported combination of the copier.yml under `template_root`."""
    return [Combination(dict(answers)) for answers in Catalog.load(template_root).combinations()]


@cache
def supported_combinations() -> tuple[Combination, ...]:
    """The supported combinations of this repository's copier.yml (read once per process)."""
    return tuple(combinations_from(REPO_ROOT))


def by_framework(combinations: Iterable[Combination]) -> dict[str, list[Combination]]:
    """The combinations grouped by framework, in copier.yml's order."""
    grouped: dict[str, list[Combination]] = {}
    for combination in combinations:
        grouped.setdefault(combination.framework, []).append(combination)
    return grouped
