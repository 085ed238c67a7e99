"""Answers given up front: flags, repeated --data KEY=VALUE, and an answers file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tqgen.errors import UsageError


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
    import yaml  # Copier depends on PyYAML; imported here to keep start-up fast.

    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"cannot read answers file {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise UsageError(f"answers file {path} is not valid YAML: {error}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, Mapping):
        raise UsageError(f"answers file {path} must hold a mapping of question: answer")
    return {str(key): value for key, value in loaded.items() if not str(key).startswith("_")}


def merge(*layers: Mapping[str, Any]) -> dict[str, Any]:
    """Merge answer layers; later layers win, and None means 'not given'."""
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update({key: value for key, value in layer.items() if value is not None})
    return merged
