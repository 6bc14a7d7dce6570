"""``python -m regshift_bench.cli``."""

from regshift_bench.cli.main import main

main()
