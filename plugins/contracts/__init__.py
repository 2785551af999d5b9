"""Service contracts: incidents or hours included for an account, used up by its tickets.

Importing this package reads the manifest only; the plugin's code loads when enabled.
"""

from __future__ import annotations

from sampark.plugin import PluginManifest

manifest = PluginManifest(
    label="contracts",
    name="Service contracts",
    version="0.1.0",
    description="Contracts for accounts, counting incidents or hours used by their tickets.",
    requires=("tickets",),
    hooks="sampark.plugins.contracts.hooks",
    models="sampark.plugins.contracts.models",
    migrations="sampark.plugins.contracts.migrations",
    config_schema="sampark.plugins.contracts.config:ContractsConfig",
    plugin_api="1.0",
)
