"""The combinations under test come from copier.yml (through tqgen.catalog), not a table."""

from __future__ import annotations

import yaml
from support.combinations import supported_combinations
from support.paths import REPO_ROOT


class TestSupportedCombinations:
    """The repository's copier.yml yields the combinations the tiers test."""

    def test_only_enabled_frameworks(self) -> None:
        """Every combination uses a framework whose choice has no validator in copier.yml."""
        choices = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())["framework"]["choices"]
        enabled = {
            spec if isinstance(spec, str) else spec["value"]
            for spec in choices.values()
            if isinstance(spec, str) or not spec.get("validator")
        }
        frameworks = {c.framework for c in supported_combinations()}
        assert frameworks == enabled
