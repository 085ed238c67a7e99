"""tqgen: generate hardened, tested background-task projects from Copier templates."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tqgen")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
