"""Which exceptions out of Copier are the user's or the template's, and which are defects.

Copier reports a rejected answer as a plain `ValueError` and lets Jinja's and git's exceptions
through; a bare `except Exception` would also swallow tqgen's own bugs and show them as user
errors. This module names the expected failures; anything else propagates with its traceback.
"""

from __future__ import annotations

from types import TracebackType

from tqgen.errors import InvalidAnswerError, TemplateError, TqgenError, one_line


def _raising_module(error: BaseException) -> str:
    """The module of the innermost frame of error's traceback, or '' when there is none."""
    traceback: TracebackType | None = error.__traceback__
    name = ""
    while traceback is not None:
        name = str(traceback.tb_frame.f_globals.get("__name__", ""))
        traceback = traceback.tb_next
    return name


def classify(error: Exception, what: str) -> TqgenError | None:
    """The tqgen error for an exception raised inside a Copier call, or None for a defect.

    Args:
        error: What Copier's call raised.
        what: The start of the message for a template failure, e.g. "cannot render the template".
    """
    import jinja2
    from copier.errors import CopierError, UserMessageError
    from plumbum import ProcessExecutionError

    module = _raising_module(error)
    if isinstance(error, ValueError) and module == "copier._user_data":
        # Copier's question validators and choice checks: the answer is the problem.
        return InvalidAnswerError(one_line(error))
    if isinstance(error, UserMessageError):
        return TemplateError(f"{what}: {one_line(error)}")
    if isinstance(error, CopierError | jinja2.TemplateError | ProcessExecutionError):
        return TemplateError(f"{what}: {type(error).__name__}: {one_line(error)}")
    if isinstance(error, ValueError | TypeError) and module.startswith(("copier.", "jinja2.")):
        # A template expression fed a value it cannot use (a defect in the template).
        return TemplateError(f"{what}: {type(error).__name__}: {one_line(error)}")
    return None
