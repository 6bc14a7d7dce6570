"""The ``rsbench`` command line: one thin module per subcommand."""
