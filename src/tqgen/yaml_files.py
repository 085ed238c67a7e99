"""The one way tqgen reads a YAML file it was given: bounded, strict, a mapping at the top.

Answers files, Copier settings and a project's .copier-answers.yml come from the user or from
another project, so each may be anything: a FIFO nobody writes to, /dev/zero, a binary or UTF-16
file, or a few lines of anchors and aliases that expand into gigabytes. Each of those is refused
in one line before it can hang tqgen or exhaust its memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from tqgen.errors import UsageError

# Far above any real answers or settings file (a few hundred bytes), far below a memory problem.
MAX_BYTES = 256 * 1024


class InputFileError(UsageError):
    """A YAML file tqgen was pointed at cannot be used as one."""


def read_mapping(path: Path, what: str) -> dict[str, Any]:
    """Read a YAML mapping from path; an empty file is an empty mapping.

    Args:
        path: The file.
        what: What the file is, for messages ("answers file").

    Raises:
        InputFileError: The file is missing, unreadable, not a regular file, too large, not
            UTF-8, not YAML, uses aliases, or does not hold a mapping with text keys.
    """
    text = _read_text(path, what)
    loaded = _parse(text, path, what)
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise InputFileError(f"{what} {path} must hold a mapping of key: value")
    if not all(isinstance(key, str) for key in loaded):
        raise InputFileError(f"{what} {path}: every key must be text")
    return loaded


def _read_text(path: Path, what: str) -> str:
    try:
        # O_NONBLOCK: opening a FIFO that nobody writes to returns at once instead of hanging.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as error:
        raise InputFileError(f"cannot read {what} {path}: {error.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise InputFileError(f"{what} {path} is not a regular file")
        data = b""
        while len(data) <= MAX_BYTES and (chunk := os.read(descriptor, MAX_BYTES + 1)):
            data += chunk
    except OSError as error:
        raise InputFileError(f"cannot read {what} {path}: {error.strerror}") from None
    finally:
        os.close(descriptor)
    if len(data) > MAX_BYTES:
        raise InputFileError(f"{what} {path} is larger than {MAX_BYTES // 1024} KiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputFileError(f"{what} {path} is not UTF-8 text") from None


def _parse(text: str, path: Path, what: str) -> Any:
    import yaml  # a Copier dependency; imported here to keep start-up fast

    class StrictLoader(yaml.SafeLoader):
        """SafeLoader without aliases: `*name` could expand a few lines into gigabytes."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not allowed", event.start_mark
                )
            return super().compose_node(parent, index)

    try:
        return yaml.load(text, Loader=StrictLoader)
    except yaml.YAMLError as error:
        detail = " ".join(str(error).replace('in "<unicode string>", ', "").split())
        raise InputFileError(f"{what} {path} is not usable YAML: {detail}") from None
    except RecursionError:
        raise InputFileError(f"{what} {path} is nested too deeply") from None
