"""A registry's life: creating it, checking it is one this program reads, upgrading it, backing it up.

Every command opens its database through ``ready``: a database that is
empty, somebody else's, behind or ahead of this program is refused in one
sentence before anything is read or written.  The default per-user registry
is created on first use in one step that is all or nothing: it is built in a
temporary file beside its place and moved there only when it holds every
bundled notice, so a first use killed at any moment leaves no registry or
the whole one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.engine import Engine

from . import db as dbmod
from . import schema
from .errors import RegistryError
from .i18n import _


def examine(engine: Engine) -> schema.State:
    if dbmod.file_missing(engine):
        return schema.State("empty")
    with engine.connect() as conn:
        return schema.state(conn)


def ready(engine: Engine, name: str) -> Engine:
    """The engine, if it holds a registry at the revision this program reads; else a refusal."""
    why = schema.refusal(examine(engine), dbmod.display(name))
    if why is not None:
        raise RegistryError(why)
    return engine


def bundled_sources():
    from .intake import read_sources
    from .record import bundled_notice_files

    return read_sources(str(p) for p in bundled_notice_files())


@dataclass
class Loaded:
    recorded: int
    already: int
    refused: list[tuple[str, str]]  # (file, why)


def init(engine: Engine, name: str, *, empty: bool = False, user: str = "") -> Loaded | None:
    """Create the schema if the database is empty and load the bundled notices (unless ``empty``).

    Safe to run again.  A database that is somebody else's, or a registry of
    another revision, is refused and left as it was.
    """
    found = examine(engine)
    if found.kind != "empty":
        why = schema.refusal(found, dbmod.display(name))
        if why is not None:
            raise RegistryError(why)
    else:
        dbmod.create_tables(engine)
    if empty:
        return None
    return load_bundled(engine, user)


def load_bundled(engine: Engine, user: str) -> Loaded:
    from .intake import record_batch

    summary = record_batch(engine, bundled_sources(), recorded_by=user)
    return Loaded(len(summary.recorded), len(summary.already),
                  [(Path(s.label).name, s.error or "") for s in summary.refused])


def create_default(path: Path, user: str = "") -> int:
    """Create the default registry at ``path`` with the bundled notices, all or nothing.

    Returns the number of notices recorded.  Two first uses at once both end
    with one whole registry: the second to finish keeps the first one's.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(path)
    building = path.with_name(f".{path.name}.creating-{os.getpid()}")
    engine = dbmod.make_engine(str(building))
    try:
        dbmod.create_tables(engine)
        loaded = load_bundled(engine, user)
        if loaded.refused:
            raise RegistryError(_("the bundled notice {refused} was refused: {refused1}").format(refused=loaded.refused[0][0], refused1=loaded.refused[0][1]))
        # Everything into the main file, so that moving the file moves the whole registry.
        dbmod.sqlite_outside_transaction(engine, "PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        engine.dispose()
        for leftover in (building, *_sidecars(building)):
            leftover.unlink(missing_ok=True)
        raise
    engine.dispose()
    try:
        os.link(building, path)  # never replaces a registry another first use finished meanwhile
    except FileExistsError:
        pass
    finally:
        for leftover in (building, *_sidecars(building)):
            leftover.unlink(missing_ok=True)
    return loaded.recorded


def _remove_abandoned(path: Path) -> None:
    """Files of first uses that were killed part-way (their process is gone): never a registry."""
    for leftover in path.parent.glob(f".{path.name}.creating-*"):
        pid = leftover.name.split(".creating-", 1)[1].split("-", 1)[0]  # .registry.db.creating-PID[-wal]
        if pid.isdigit() and not _running(int(pid)):
            leftover.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


@dataclass
class Upgraded:
    before: str
    after: str
    backup: Path | None


def upgrade(engine: Engine, name: str, now: datetime | None = None) -> Upgraded | None:
    """Bring a registry to this program's revision; None if it already is.

    On SQLite a backup copy is written beside the file first, named for the
    old revision and the time, e.g. ``registry.db.before-upgrade-0001-20261129T120000Z``.
    """
    found = examine(engine)
    if found.current:
        return None
    if found.kind != "registry" or not (not found.stamped or found.revision in schema.revisions()):
        raise RegistryError(schema.refusal(found, dbmod.display(name)) or "not a registry")
    backup = None
    path = dbmod.sqlite_path(engine)
    if path is not None:
        stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
        backup = path.with_name(f"{path.name}.before-upgrade-{found.revision}-{stamp}")
        dbmod.backup_sqlite(engine, backup)
        dbmod.sqlite_outside_transaction(engine, "PRAGMA journal_mode=WAL")
    with engine.connect() as conn:
        if path is not None:
            # A batch migration copies and drops tables: foreign keys are checked once, after it
            # (the pragma is a no-op inside a transaction, hence on the driver's connection first).
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                schema.upgrade(conn, found)
                if path is not None:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RegistryError(
                            _("the upgrade would leave {count} broken references; nothing was changed").format(count=len(broken))
                        )
        finally:
            if path is not None:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
    before = found.revision if found.stamped else _("{revision} (as version 0.1.0 wrote it)").format(revision=found.revision)
    return Upgraded(before, schema.REVISION, backup)


def backup(engine: Engine, name: str, target: Path) -> None:
    """A consistent copy of a SQLite registry while others use it; PostgreSQL has pg_dump for that."""
    ready(engine, name)
    if dbmod.sqlite_path(engine) is None:
        raise RegistryError(_("a PostgreSQL registry is backed up with pg_dump (see the README); nothing was written"))
    if target.exists():
        raise RegistryError(_("{target} already exists; choose a new file name").format(target=target))
    dbmod.backup_sqlite(engine, target)
