"""Built-in plugin rsbench_sim (content arrives with its issue)."""
