"""Project names the tiers render: the names users type, not only `demo`.

A short name hides nothing; a 40-character hyphenated one (the validator's maximum) finds lines
that grow past the project's line length and names that need `-` turned into `_`.
"""

from __future__ import annotations

DEFAULT_NAME = "demo"
SHORT_NAME = "a"
LONG_NAME = "my-very-long-project-name-for-billing-42"
PROJECT_NAMES = (DEFAULT_NAME, SHORT_NAME, LONG_NAME)


def module_name(project_name: str) -> str:
    """The importable package of a project, as copier.yml derives it."""
    return project_name.replace("-", "_")
