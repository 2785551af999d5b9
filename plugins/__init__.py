"""Sampark's built-in plugins, each shaped exactly like a third-party package."""
