"""The minhbach application: store, registry, audit runner, reports and the CLI."""
