"""Sampark: a plugin-first CRM. Importing this package has no side effects."""

from sampark.core.hookspecs import hookimpl
from sampark.core.kernel import Sampark, open

__version__ = "0.1.0"

__all__ = ["Sampark", "__version__", "hookimpl", "open"]
