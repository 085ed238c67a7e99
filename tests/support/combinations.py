"""The supported answer combinations, as `tqgen.catalog` reads them from copier.yml.

Nothing here lists frameworks, brokers or web choices by hand: the CLI's catalog evaluates
copier.yml's `when` and per-choice validators the way Copier does, and the tests use the same
reading, so the CLI and the harness can never disagree about what is supported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tqgen.catalog import Catalog

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT_NAME = "demo"


@dataclass(frozen=True)
class Combination:
    """One supported set of answers.

    Attributes:
        answers: the combination's answers (framework, broker, web), in questionnaire order.
        id: a readable pytest id such as `celery-redis-fastapi`.
        options: extra answers that vary an option (for example `periodic_tasks=False`).
    """

    answers: Mapping[str, str]
    id: str
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def framework(self) -> str:
        """The task framework."""
        return self.answers["framework"]

    @property
    def broker(self) -> str:
        """The message broker."""
        return self.answers["broker"]

    @property
    def web(self) -> str:
        """The web framework, or `none`."""
        return self.answers["web"]

    @property
    def data(self) -> dict[str, Any]:
        """The `data=` mapping handed to Copier (other questions take their defaults)."""
        return {"project_name": PROJECT_NAME, **self.answers, **self.options}

    def with_options(self, **options: Any) -> Combination:
        """Return this combination with extra answers, its id naming them."""
        suffix = "-".join(f"{key}={value}".lower() for key, value in options.items())
        return Combination(self.answers, f"{self.id}-{suffix}", {**self.options, **options})


def combinations_from(template_root: Path) -> list[Combination]:
    """Every supported combination of the copier.yml under `template_root`."""
    return [
        Combination(dict(answers), "-".join(str(value) for value in answers.values()))
        for answers in Catalog.load(template_root).combinations()
    ]


@cache
def supported_combinations() -> tuple[Combination, ...]:
    """The supported combinations of this repository's copier.yml (read once per process)."""
    return tuple(combinations_from(REPO_ROOT))


def option_variants() -> tuple[Combination, ...]:
    """A few renders that switch optional parts off, on the first supported combination."""
    base = supported_combinations()[0]
    return (base.with_options(periodic_tasks=False), base.with_options(monitoring=False))
