"""Config files that ship with Sampark: the annotated example and the industry profiles."""

from __future__ import annotations

from pathlib import Path

from sampark.core.errors import ConfigError

CONFIG_DIR = Path(__file__).resolve().parent
EXAMPLE_PATH = CONFIG_DIR / "sampark.example.toml"
PROFILES = ("nonprofit", "servicedesk", "shop")


def profile_path(name: str) -> Path:
    """The TOML file of a profile, for ``sampark init --profile NAME`` to copy."""
    if name not in PROFILES:
        raise ConfigError(f"unknown profile {name!r} (available profiles: {', '.join(PROFILES)})")
    return CONFIG_DIR / "profiles" / f"{name}.toml"
