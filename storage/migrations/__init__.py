"""Alembic migrations of the govwatch schema."""
