"""tqgen's test-support library, importable as `support` (pytest's `pythonpath = ["tests"]`).

Every helper the tiers share lives here, never in a conftest file or a test module:
`paths` (the repository), `combinations` and `names` (what is rendered), `frameworks` (one
adapter per task framework: everything framework-specific), `tiers` (which combinations each
tier runs), and the mechanics (`gitrepo`, `rendering`, `uvenv`, `processes`, `brokers`, ...).
"""
