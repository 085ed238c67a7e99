"""The choices `tqgen new --help` shows for its options, read from copier.yml.

Cheaply: a help screen must not wait for Copier or Jinja to load. A choice whose validator is
plain text (no Jinja) is never available, so it is left out; one with a Jinja validator depends
on the other answers, and `tqgen list` says when. Both come from copier.yml alone.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from tqgen.errors import TemplateError
from tqgen.template_source import template_dir


@cache
def _questions() -> dict[str, Any]:
    import yaml

    try:
        path = template_dir() / "copier.yml"
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (TemplateError, OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}  # the other commands report a broken template; --help still shows

    return loaded if isinstance(loaded, dict) else {}


def choices_metavar(question: str) -> str | None:
    """`[celery|rq]`: the values of `question`'s choices that can be available; None if none."""
    spec = _questions().get(question)
    if not isinstance(spec, dict) or not isinstance(spec.get("choices"), dict):
        return None
    values = []
    for choice in spec["choices"].values():
        if not isinstance(choice, dict):
            values.append(str(choice))
        elif "{" in str(choice.get("validator", "{")):
            values.append(str(choice["value"]))
    return "[" + "|".join(values) + "]" if values else None
