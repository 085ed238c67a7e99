"""How a generated project finds its template again: the template version and its source.

The template version is the package version, and every release is tagged `v<version>` in the
tqgen repository. An installed tqgen renders offline from the copy of the templates inside its
wheel, which Copier cannot update from (a plain folder has no history). So after rendering from
that copy, tqgen records in `.copier-answers.yml` what plain `copier update` needs later: the
repository URL as `_src_path` and the release tag as `_commit`. Every released tag stays in that
repository, so projects of any age can be updated.

The URL is the `Repository` entry of tqgen's package metadata; `TQGEN_TEMPLATE_URL` overrides it
(a company mirror, or a local clone when working offline).
"""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, metadata
from pathlib import Path
from typing import Any

import tqgen
from tqgen.errors import TemplateError

URL_ENV = "TQGEN_TEMPLATE_URL"
ANSWERS_FILE = ".copier-answers.yml"


def release_tag() -> str:
    """The git tag of this tqgen's release: `v` and the PEP 440 version."""
    return f"v{tqgen.__version__}"


def template_url() -> str:
    """Where generated projects fetch their template from when they update."""
    if override := os.environ.get(URL_ENV):
        # Copier records _src_path verbatim: a relative path would break later updates.
        return str(Path(override).resolve()) if Path(override).exists() else override
    try:
        urls: list[str] = metadata("tqgen").get_all("Project-URL") or []
    except PackageNotFoundError:
        urls = []
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "repository":
            return url.strip()
    raise TemplateError(f"no template repository URL is known; set {URL_ENV}")


def record_source(project: Path, url: str, tag: str) -> None:
    """Point the project's answers file at url and tag, keeping its leading comment."""
    import yaml  # a Copier dependency; imported here to keep start-up fast

    path = project / ANSWERS_FILE
    text = path.read_text(encoding="utf-8")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    answers: dict[str, Any] = yaml.safe_load(text) or {}
    answers["_src_path"] = url
    answers["_commit"] = tag
    # The same layout Copier's to_nice_yaml writes, so Copier's next write is a clean diff.
    body = yaml.dump(answers, indent=4, allow_unicode=True, default_flow_style=False)
    path.write_text(header + body, encoding="utf-8")
