"""What the tests share besides fixtures (those are in tests/conftest.py): paths, services that
may be missing, running the command line, small sites on loopback, farms of hostile sites."""
