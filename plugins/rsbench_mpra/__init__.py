"""Built-in plugin rsbench_mpra (content arrives with its issue)."""
