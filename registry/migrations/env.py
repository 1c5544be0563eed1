"""Alembic's entry point: runs the migrations on the connection the registry hands it.

The registry configures Alembic in code (``registry.schema``), never from an
alembic.ini, so the migrations run the same from a source checkout and from
an installed wheel.  SQLite alters tables in batch mode (copy and move).
"""

from alembic import context

from registry.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
