"""Lengths, checked before anything is written, the same on every backend.

SQLite keeps a string of any length and PostgreSQL refuses one longer than
its column with a driver error; the registry refuses it in one sentence
first, naming the field, whichever backend holds it.  The limits are the
column lengths in ``models``: one truth.
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from .errors import NoticeError, RegistryError
from .i18n import N_, _

# What a clerk calls each bounded field; a field not named here is called by its column.
LABELS = {
    "people.name": N_("the name"),
    "actions.name": N_("the name"),
    "actions.ranked_after_name": N_("the name in 列…之后"),
    "actions.title": N_("the post title"),
    "posts.title": N_("the post title"),
    "organizations.name": N_("the organization name"),
    "org_aliases.alias": N_("the organization name"),
    "notices.number": N_("the document number"),
    "notices.series": N_("the document series"),
    "notice_versions.title": N_("the notice title"),
    "notice_versions.issuer": N_("the issuer"),
    "notice_versions.addressees": N_("the addressees"),
    "notice_versions.basis": N_("the basis"),
    "notice_versions.signer": N_("the signer"),
    "actions.secondment": N_("the secondment"),
    "holdings.secondment": N_("the secondment"),
    "notice_versions.recorded_by": N_("the user (--user)"),
    "notice_versions.superseded_by": N_("the user (--user)"),
    "person_events.recorded_by": N_("the user (--user)"),
    "person_events.undone_by": N_("the user (--user)"),
}
# Fields a clerk gives on the command line, rather than read from a notice.
_COMMAND_LINE = {"recorded_by", "superseded_by", "undone_by"}


def too_long(table: str, column: str, value: str, limit: int) -> RegistryError:
    label = _(LABELS.get(f"{table}.{column}", f"{table}.{column}"))
    shown = value if len(value) <= 20 else value[:20] + "…"
    error = RegistryError if column in _COMMAND_LINE else NoticeError
    return error(_("{label} {shown!r} is {count} characters long; the registry keeps at most {limit}").format(label=label, shown=shown, count=len(value), limit=limit))


def _check(column, value) -> None:
    limit = getattr(column.type, "length", None)
    if limit is not None and isinstance(value, str) and len(value) > limit:
        raise too_long(column.table.name, column.name, value, limit)


@event.listens_for(Session, "before_flush")
def _check_lengths(session: Session, _context, _instances) -> None:
    for instance in list(session.new) + list(session.dirty):
        state = inspect(instance)
        for attribute in state.mapper.column_attrs:
            _check(attribute.columns[0], state.dict.get(attribute.key))


def check_rows(table, rows: list[dict]) -> None:
    """The same check for rows written with Core (an insert that bypasses the flush)."""
    for row in rows:
        for key, value in row.items():
            _check(table.c[key], value)


# A notice is a few thousand characters; a whole gazette is under 100,000.  Anything
# longer is not one notice, and reading it would take minutes before any field is seen.
MAX_NOTICE_CHARACTERS = 200_000


def check_notice_length(text: str) -> None:
    if len(text) > MAX_NOTICE_CHARACTERS:
        raise NoticeError(
            _("the notice is {count} characters long; a notice is at most {MAX_NOTICE_CHARACTERS}, so "
               "this is not one notice").format(count=len(text), MAX_NOTICE_CHARACTERS=MAX_NOTICE_CHARACTERS)
        )
