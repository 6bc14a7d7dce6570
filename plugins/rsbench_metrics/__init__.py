"""Built-in plugin rsbench_metrics (content arrives with its issue)."""
