"""The record store: SQLAlchemy tables, repository functions and Alembic migrations."""
