"""Shell completion from the registry in effect: organizations, titles, document numbers, names.

The shell asks while the clerk types, so a completion never fails loudly and never changes
anything: a registry that does not exist (the default one before first use included) is not
created, and one that cannot be read (no server, another schema, a locked file) completes
nothing.  Candidates starting with what is typed come first, then those that contain it, so
卫健 completes 卫健委 and 市卫生健康委员会 alike.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from .location import default_db_path

# A shell shows at most a screenful; more than this is no help.
MOST = 200


def candidates(kind: str, db: str | None, incomplete: str, org: str | None = None) -> list[str]:
    """The completions of ``incomplete`` as a ``kind`` ("organization", "title" of ``org``, "number",
    "name") from the registry at ``db`` (None: the default registry); [] when there is none."""
    try:
        engine = _engine(db)
        if engine is None:
            return []
        try:
            with engine.connect() as connection:
                values = _values(connection, kind, org)
        finally:
            engine.dispose()
    except Exception:  # noqa: BLE001 (completion must never fail loudly; it completes nothing instead)
        return []
    return ordered(values, incomplete)


def ordered(values, incomplete: str) -> list[str]:
    """Distinct values starting with ``incomplete``, then those containing it, each group sorted."""
    typed = incomplete.strip()
    unique = sorted(set(values))
    first = [v for v in unique if v.startswith(typed)]
    then = [v for v in unique if typed in v and not v.startswith(typed)]
    return (first + then)[:MOST]


def _engine(db: str | None):
    """An engine on an existing registry, or None; nothing is created, no schema is checked."""
    if db is None or "://" not in db:
        path = Path(db).expanduser() if db else default_db_path()
        if not path.is_file():
            return None
        from sqlalchemy import create_engine

        # mode=rw never creates a file (read-only, mode=ro, would leave the WAL's -shm and -wal
        # files behind, which only a connection that may write removes); nothing is written.
        uri = f"file:{quote(str(path.resolve()))}?mode=rw"
        return create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))
    if not db.startswith("postgresql"):
        return None
    from sqlalchemy import create_engine

    return create_engine(db, connect_args={"connect_timeout": 3})


def _values(connection, kind: str, org: str | None) -> list[str]:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from .models import Notice, OrgAlias, Organization, Person, Post
    from .orgs import find_org

    if kind == "organization":
        return list(connection.scalars(select(Organization.name))) + list(connection.scalars(select(OrgAlias.alias)))
    if kind == "title":
        if not org:
            return []
        with Session(bind=connection) as session:
            found = find_org(session, org)
            if found is None:
                return []
            return list(session.scalars(select(Post.title).where(Post.org_id == found.id)))
    if kind == "number":
        return list(connection.scalars(select(Notice.number)))
    if kind == "name":
        return list(connection.scalars(select(Person.name).distinct()))
    raise ValueError(kind)
