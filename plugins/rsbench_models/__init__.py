"""Built-in plugin rsbench_models (content arrives with its issue)."""
