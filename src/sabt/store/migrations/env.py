"""Alembic environment: always run with a connection handed over by `sabt.store.migrate`."""

from alembic import context

from sabt.store.all_tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
