"""The read-only JSON API under /api/v1/."""
