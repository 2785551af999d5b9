"""Service desk tickets: numbered, with SLAs, replies on the requester's timeline, a queue.

Importing this package reads the manifest only; the plugin's code loads when enabled.
"""

from __future__ import annotations

from sampark.plugin import PluginManifest

manifest = PluginManifest(
    label="tickets",
    name="Tickets",
    version="0.1.0",
    description="Trouble tickets with numbers, SLA clocks, replies and a work queue.",
    hooks="sampark.plugins.tickets.hooks",
    models="sampark.plugins.tickets.models",
    migrations="sampark.plugins.tickets.migrations",
    config_schema="sampark.plugins.tickets.config:TicketsConfig",
    plugin_api="1.0",
)
