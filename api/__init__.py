"""The HTTP API (FastAPI): saved queries over one store dependency (design note §7)."""
