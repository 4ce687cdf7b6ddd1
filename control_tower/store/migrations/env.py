"""Alembic environment: runs on the connection ``control_tower.store.migrate`` hands in.

There is no alembic.ini: the store runs migrations itself on start (and ``ct db upgrade``
does the same), so the configuration is built in code.
"""

from __future__ import annotations

from alembic import context

from control_tower.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things: batch mode copies the table instead
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
