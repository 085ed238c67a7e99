"""The generated pytest warning filters fail on the project's own warnings, not on a library's.

A new deprecation inside Celery, kombu, RQ or Django must not turn a project's CI red before the
library itself has changed; a warning raised by the project's code or tests, or about a call it
makes, must. The filters are applied with pytest's own parser, as the generated suite applies
them, and then warnings attributed to each kind of module are raised through them.
"""

from __future__ import annotations

import tomllib
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from _pytest.config import apply_warning_filters
from support.combinations import Combination
from support.frameworks import adapter_for


@contextmanager
def project_filters(project: Path) -> Iterator[None]:
    """The warning filters of the project's pytest configuration, in force inside the block."""
    options = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["pytest"]
    with warnings.catch_warnings(record=True):
        warnings.resetwarnings()
        apply_warning_filters(options["ini_options"]["filterwarnings"], [])
        yield


def raised(module: str, category: type[Warning] = DeprecationWarning) -> bool:
    """Whether a warning attributed to `module` is turned into an error."""
    try:
        warnings.warn_explicit("deprecated", category, "file.py", 1, module=module)
    except category:
        return True
    return False


def own_modules(combination: Combination) -> list[str]:
    """Modules the project writes: its package, its tests, Django's config package."""
    package, definitions = combination.module, adapter_for(combination.framework).definitions
    modules = [package, f"{package}.{definitions}", f"test_{definitions}", "test_web", "conftest"]
    if combination.web == "django":
        modules.append("config.settings")
    return modules


class TestWarningFilters:
    """`[tool.pytest.ini_options] filterwarnings` of every rendered combination."""

    def test_the_project_s_own_warnings_are_errors(
        self, project: Path, combination: Combination
    ) -> None:
        with project_filters(project):
            passed = [module for module in own_modules(combination) if not raised(module)]
        assert not passed, f"warnings from {passed} do not fail the tests"

    @pytest.mark.parametrize(
        "library",
        [
            "celery.backends.redis",
            "kombu.transport.redis",
            "rq.worker",
            "django.db.models",
            "redis.client",
        ],
    )
    def test_a_library_s_own_warnings_are_not(self, project: Path, library: str) -> None:
        with project_filters(project):
            assert not raised(library)

    def test_a_package_named_like_the_project_is_not_the_project(
        self, project: Path, combination: Combination
    ) -> None:
        with project_filters(project):
            assert not raised(f"{combination.module}x.module")

    @pytest.mark.parametrize(
        "category",
        [pytest.PytestUnraisableExceptionWarning, pytest.PytestUnhandledThreadExceptionWarning],
    )
    def test_an_exception_nobody_saw_is_an_error(
        self, project: Path, category: type[Warning]
    ) -> None:
        with project_filters(project):
            assert raised("_pytest.threadexception", category)
