"""The `minhbach` command line: `main` (main.py) gathers one module per command group."""
from minhbach.audit.cli.main import main

__all__ = ["main"]
