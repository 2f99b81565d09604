"""Storage: SQLAlchemy models, sessions and migrations, and the raw-body store."""
