"""Answers given up front: flags, repeated --data KEY=VALUE, and an answers file."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tqgen.errors import UsageError
from tqgen.yaml_files import read_mapping

# Where Copier looks for the user's settings file first.
SETTINGS_ENV = "COPIER_SETTINGS_PATH"


def parse_data(pairs: Iterable[str]) -> dict[str, str]:
    """Parse repeated KEY=VALUE strings; a later KEY wins."""
    data: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--data expects KEY=VALUE, got {pair!r}")
        data[key.strip()] = value
    return data


def load_answers_file(path: Path) -> dict[str, Any]:
    """Read answers from a YAML mapping, e.g. another project's .copier-answers.yml.

    Keys starting with '_' are Copier's bookkeeping (_src_path, _commit) and are skipped.
    """
    loaded = read_mapping(path, "answers file")
    return {key: value for key, value in loaded.items() if not key.startswith("_")}


def load_user_defaults() -> dict[str, Any]:
    """The `defaults:` of the user's Copier settings file, read as Copier finds it.

    The file is $COPIER_SETTINGS_PATH, else Copier's per-user default; a missing default file
    means no defaults, a missing file named by the variable is an error.
    """
    named = os.environ.get(SETTINGS_ENV)
    if named:
        path = Path(named)
    else:
        from copier._settings import _default_settings_path  # private; tqgen pins copier<10

        path = _default_settings_path()
    if not named and not path.exists():
        return {}
    settings = read_mapping(path, "Copier settings file")
    defaults = settings.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise UsageError(f"Copier settings file {path}: `defaults` must be a mapping")
    return {str(key): value for key, value in defaults.items()}


def merge(*layers: Mapping[str, Any]) -> dict[str, Any]:
    """Merge answer layers; later layers win, and None means 'not given'."""
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update({key: value for key, value in layer.items() if value is not None})
    return merged
