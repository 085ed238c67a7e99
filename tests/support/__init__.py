"""Helpers shared by tqgen's render and end-to-end test tiers."""
