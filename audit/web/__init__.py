"""The officers' dashboard (server-rendered, Vietnamese, everything served locally) and the
read-only JSON API under /api/v1."""
