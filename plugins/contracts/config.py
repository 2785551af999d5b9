"""The ``[plugin.contracts]`` table of sampark.toml, checked by Sampark before the plugin runs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ContractsConfig:
    """Settings of the contracts plugin: when a contract is flagged for attention."""

    # A contract with at least this share of its units used is flagged "near exhaustion".
    exhaustion_warning_percent: int = 80
    # A contract ending within this many days is flagged "near expiry".
    expiry_warning_days: int = 30
