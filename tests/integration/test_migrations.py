"""The migrations build exactly the schema the tables declare, on both back ends."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from chartwell.store.tables import Base


def test_migrated_schema_matches_the_tables(store):
    with store.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
