"""The command groups of the `minhbach` command line, one module each."""
