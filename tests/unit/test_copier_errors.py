"""Which exceptions out of a Copier call are shown as user or template errors."""

from __future__ import annotations

from pathlib import Path

import copier
import pytest

from tqgen.copier_errors import classify
from tqgen.errors import InvalidAnswerError, TemplateError


def raised_by(call) -> Exception:
    with pytest.raises(Exception) as caught:  # noqa: PT011 (any exception: that is the point)
        call()
    return caught.value


def copy(template: Path, destination: Path, data: dict[str, object]) -> None:
    copier.run_copy(
        str(template), destination, data=data, defaults=True, quiet=True, settings=copier.Settings()
    )


@pytest.fixture
def plain_template(tmp_path: Path) -> Path:
    template = tmp_path / "template"
    template.mkdir()
    (template / "copier.yml").write_text(
        "name:\n  type: str\n  default: x\n  validator: \"{% if name == 'bad' %}no{% endif %}\"\n"
    )
    (template / "out.txt.jinja").write_text("{{ name }} {{ undefined_thing.attribute }}\n")
    return template


def test_copier_rejecting_an_answer_is_an_invalid_answer(plain_template: Path, tmp_path: Path):
    """Copier's validator failure (a plain ValueError from Copier) is the user's answer."""
    error = raised_by(lambda: copy(plain_template, tmp_path / "out", {"name": "bad"}))
    assert isinstance(classify(error, "cannot render"), InvalidAnswerError)


def test_a_template_that_fails_to_render_is_a_template_error(plain_template: Path, tmp_path: Path):
    """A Jinja error while rendering is the template's fault, not the user's."""
    error = raised_by(lambda: copy(plain_template, tmp_path / "out", {"name": "good"}))
    known = classify(error, "cannot render the template")
    assert isinstance(known, TemplateError)
    assert str(known).startswith("cannot render the template: ")


def test_a_value_error_of_tqgen_itself_is_a_defect():
    """A ValueError raised outside Copier is not dressed up as a user error: it propagates."""
    error = raised_by(lambda: int("not a number"))
    assert classify(error, "cannot render") is None
