"""Sales pipeline: deals through configurable stages, a board, and forecasts.

Importing this package reads the manifest only; the plugin's code loads when enabled.
"""

from __future__ import annotations

from sampark.plugin import PluginManifest

manifest = PluginManifest(
    label="pipeline",
    name="Sales pipeline",
    version="0.1.0",
    description="Deals through configurable stages, a board, weighted forecasts and win rates.",
    hooks="sampark.plugins.pipeline.hooks",
    models="sampark.plugins.pipeline.models",
    migrations="sampark.plugins.pipeline.migrations",
    config_schema="sampark.plugins.pipeline.config:PipelineConfig",
    plugin_api="1.0",
)
