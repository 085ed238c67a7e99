"""Errors raised by tqgen's core; the CLI turns each into one line on stderr and an exit code.

Every message says what was wrong and, where there is one, how to fix it. Constructors never print.
"""

from __future__ import annotations


def one_line(error: BaseException | str) -> str:
    """An error's message on one line, as the CLI prints every error."""
    return " ".join(line.strip() for line in str(error).splitlines() if line.strip())


class TqgenError(Exception):
    """Root of tqgen's errors: an expected failure that stops the command.

    Attributes:
        exit_code: The process exit code the CLI uses for this error.
    """

    exit_code = 1


class UsageError(TqgenError):
    """The user's input cannot be used: a bad answer, flag, path or missing terminal."""

    exit_code = 2


class InvalidAnswerError(UsageError):
    """An answer fails its question's validator or is not one of its choices."""


class UnknownQuestionError(UsageError):
    """An answer names a question that copier.yml does not define."""


class TargetNotEmptyError(UsageError):
    """The project directory already exists and holds files."""


class NoTerminalError(UsageError):
    """A question needs an answer, but there is no terminal to ask it on."""


class AbortedError(UsageError):
    """The user pressed Ctrl-C, or tqgen got SIGTERM or SIGHUP; nothing was written."""


class TemplateError(TqgenError):
    """Copier could not render the template (a defect in the template or its installation)."""

    exit_code = 3


class ToolMissingError(TqgenError):
    """An external program that tqgen needs (git) is not installed."""

    exit_code = 4


class FilesystemError(UsageError):
    """A directory tqgen must write to cannot be used: permissions, a read-only or full disk."""


class GitError(TqgenError):
    """git could not create the project's repository or first commit; nothing was written."""

    exit_code = 5


class UpdateConflictError(TqgenError):
    """The update ran, but left conflicts that the user must resolve before committing."""

    exit_code = 6
