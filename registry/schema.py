"""Schema versions: which revision a database is at, and bringing it to the current one.

Alembic keeps the revisions (``registry/migrations``).  The first, "0001", is
the schema of version 0.1.0 exactly as it was created, so every registry
written by 0.1.0 is recognised: such a database has the 0.1.0 tables, no
``alembic_version`` table and no mark, and counts as revision "0001" that
``registry upgrade`` has yet to stamp.

A registry marks itself as one: a ``meta`` row ``application = registry`` and,
on SQLite, ``PRAGMA application_id``.  A database holding other tables and no
such mark is somebody else's, and nothing here writes to it.

Alembic is imported only to upgrade or stamp, so that everyday commands start
fast; ``REVISION`` names the head this program expects, and a test checks it
against the migrations.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from .errors import RegistryError
from .i18n import _

REVISION = "0008"  # the head of registry/migrations; tests check they agree
BASELINE = "0001"
# "LZRG": Linzhi registry.  SQLite keeps it in the file header (offset 68).
APPLICATION_ID = 0x4C5A5247
TABLES_0_1_0 = frozenset({
    "meta", "organizations", "org_aliases", "posts", "people", "notices", "notice_versions", "actions",
    "person_events", "holdings",
})


def alembic_config(connection: Connection | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    config.attributes["connection"] = connection
    return config


def revisions() -> list[str]:
    """Every revision this program knows, newest first."""
    from alembic.script import ScriptDirectory

    return [s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()]


@dataclass
class State:
    """What a database holds: ``kind`` is "empty", "registry" or "foreign"."""

    kind: str
    revision: str | None = None  # a registry's schema revision
    stamped: bool = True  # False for a registry written by 0.1.0, which neither stamped nor marked itself

    @property
    def current(self) -> bool:
        return self.kind == "registry" and self.stamped and self.revision == REVISION


def state(connection: Connection) -> State:
    """Read, never write: what this database holds."""
    tables = set(inspect(connection).get_table_names())
    if not tables:
        return State("empty")
    marked = False
    if connection.dialect.name == "sqlite":
        marked = connection.exec_driver_sql("PRAGMA application_id").scalar() == APPLICATION_ID
    if "meta" in tables and not marked:
        marked = connection.execute(text("SELECT value FROM meta WHERE key = 'application'")).scalar() == "registry"
    if marked and "alembic_version" in tables:
        return State("registry", connection.execute(text("SELECT version_num FROM alembic_version")).scalar())
    if not marked and tables == TABLES_0_1_0:
        return State("registry", BASELINE, stamped=False)
    return State("foreign")


def refusal(found: State, name: str) -> str | None:
    """Why a command cannot use this database as it stands, in one sentence; None if it can."""
    if found.kind == "empty":
        return _("{name} holds no registry; run `registry --db {name} init` first").format(name=name)
    if found.kind == "foreign":
        return _("{name} holds other tables and is not a registry; nothing was changed in it").format(name=name)
    if found.current:
        return None
    if not found.stamped or found.revision in revisions():
        return (_("the registry {name} was written by an earlier version (schema {revision}); run `registry "
                   "--db {name} upgrade` first (it makes a backup)").format(name=name, revision=found.revision))
    return (_("the registry {name} was written by a newer version of this program (schema {revision}); "
               "this one reads schema {REVISION}: install the newer version").format(name=name, revision=found.revision, REVISION=REVISION))


def mark(connection: Connection) -> None:
    """Stamp the current revision and mark the database as a registry (in the caller's transaction).

    The stamp is the table Alembic's own ``stamp`` writes, written here
    without loading the migrations, because every new registry (and every
    test's) is made this way.
    """
    connection.execute(text(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
        "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
    ))
    connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:revision)"), {"revision": REVISION})
    _mark_only(connection)


def _mark_only(connection: Connection) -> None:
    for key, value in (("application", "registry"), ("writer", "")):
        if connection.execute(text("SELECT 1 FROM meta WHERE key = :key"), {"key": key}).scalar() is None:
            connection.execute(text("INSERT INTO meta (key, value) VALUES (:key, :value)"),
                               {"key": key, "value": value})
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")


def upgrade(connection: Connection, found: State) -> None:
    """Bring a registry to ``REVISION`` in the caller's transaction."""
    from alembic import command

    if found.kind != "registry" or not (not found.stamped or found.revision in revisions()):
        raise RegistryError(_("not a registry this program can upgrade"))
    config = alembic_config(connection)
    if not found.stamped:
        command.stamp(config, BASELINE)
    command.upgrade(config, REVISION)
    _mark_only(connection)
