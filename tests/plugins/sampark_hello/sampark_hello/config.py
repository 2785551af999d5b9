"""The ``[plugin.hello]`` table of sampark.toml, checked by Sampark before the plugin runs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HelloConfig:
    """Settings of the hello plugin."""

    # The word the greeting starts with: "Namaste, Asha!".
    greeting: str = "Namaste"
    # Also greet contacts again when they are edited.
    greet_on_update: bool = False
