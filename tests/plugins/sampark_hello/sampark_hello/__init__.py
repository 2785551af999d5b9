"""Sampark's sample plugin. Importing it reads the manifest only: no models, no hooks."""

from __future__ import annotations

from sampark.plugin import PluginManifest
from sampark_hello.config import HelloConfig

manifest = PluginManifest(
    label="hello",
    name="Hello",
    version="0.1.0",
    description="Writes a greeting for every new contact; adds `sampark hello`.",
    hooks="sampark_hello.hooks",
    models="sampark_hello.models",
    migrations="sampark_hello.migrations",
    config_schema=HelloConfig,
    plugin_api="1.0",
)
