"""A plugin that fails at import time."""

raise ImportError("this plugin is deliberately broken")
