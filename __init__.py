"""Sampark: a plugin-first CRM. Importing this package has no side effects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sampark.core.hookspecs import hookimpl

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark, open

__version__ = "0.1.0"

__all__ = ["Sampark", "__version__", "hookimpl", "open"]


def __getattr__(name: str) -> Any:
    """Load the kernel on first use: pytest imports ``sampark.testing`` in every run."""
    if name in {"Sampark", "open"}:
        from sampark.core import kernel

        return getattr(kernel, name)
    raise AttributeError(f"module 'sampark' has no attribute {name!r}")
