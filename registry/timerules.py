"""The time rules, in one place: "held on D", "known at T", canonical order, notice status, recorded time.

A holding has two axes.  ``[since, until)`` is when the post was held: held on
D means since <= D < until, a NULL since being "not on record" (open below)
and a NULL until "still holds" (open above).  ``[known_from, known_until)`` is
when the registry said so.  Notice versions are shown over
``[recorded_at, superseded_at)`` and person events are in force over
``[recorded_at, undone_at)``.  "Known at T" with no T means as the registry
stands now.

Each rule is written here once as a SQL predicate for queries and, where
rows already loaded need it, once as a Python mirror beside it; no other
module writes its own interval test.  Recorded time comes from the database
server's clock (``clock``), never from a client's.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple

from dateutil.relativedelta import relativedelta

from sqlalchemy import ColumnElement, and_, bindparam, func, insert, or_, select, true, update
from sqlalchemy.orm import Session

from .models import Action, Holding, Meta, Notice, NoticeVersion, Person, PersonEvent, server_now

TICK = timedelta(microseconds=1)  # the smallest step of recorded time


# -- as of D: [since, until) --------------------------------------------------------

def held_on(on, holding=Holding) -> ColumnElement[bool]:
    """The half-open test: held on ``on`` iff since <= on < until (NULL: open).  ``on`` may be a column."""
    return and_(started_by(on, holding), or_(holding.until.is_(None), holding.until > on))


def started_by(on, holding=Holding) -> ColumnElement[bool]:
    """The first half of ``held_on``: begun on or before ``on`` (a start not on record counts as before)."""
    return or_(holding.since.is_(None), holding.since <= on)


def holds_on(span, on: date) -> bool:
    """Python mirror of ``held_on`` for anything with ``since`` and ``until``."""
    return (span.since is None or span.since <= on) and (span.until is None or on < span.until)


def held_during(span, on: date) -> bool:
    """Held at some time on ``on``: held on it, or ended that very day.

    A clause of a notice dated the day a holding ends may come before the
    removal (a 列X之后 reference the same day), so it still finds the holder.
    """
    return holds_on(span, on) or span.until == on


def ended_by(span, on: date) -> bool:
    """The holding had ended by ``on``: its last day was before ``on`` (half-open: not held on ``until``)."""
    return span.until is not None and span.until <= on


def probation_until(on: date, months: int | None) -> date | None:
    """The day a probation of ``months`` that starts ``on`` is over: calendar months later
    (试用期1年 from 2024-02-29 ends 2025-02-28), None when there is none.  Derivation and the
    reports that restate it (``changes``, ``check``) all compute it here."""
    return on + relativedelta(months=months) if months else None


def on_probation(probation_until: date | None, on: date) -> bool:
    """A probation runs up to ``probation_until``, exclusive: on it, the probation is over."""
    return probation_until is not None and on < probation_until


def probation_covers(on, holding=Holding) -> ColumnElement[bool]:
    """Holdings whose probation period, [since, probation_until), covers ``on``: begun by then and
    still running (``on_probation`` is its mirror for a holding held on ``on``).  Without the start,
    a probation report early in a long archive read every later probation (17 s and 1.3 GB at 1M
    holdings)."""
    return and_(holding.probation_until.is_not(None), holding.probation_until > on, started_by(on, holding))


class Span(NamedTuple):
    since: date | None
    until: date | None


def share_a_date(a, b) -> bool:
    """Whether two [since, until) spans (NULL: open) share a date; the rule the database
    enforces for two current holdings of one person in one post."""
    return max(a.since or date.min, b.since or date.min) < min(a.until or date.max, b.until or date.max)


def spans_share_a_date(since, until, other_since, other_until) -> ColumnElement[bool]:
    """SQL mirror of ``share_a_date`` for two spans given as columns (NULL: open): the later start
    is before the earlier end, and each span holds a date at all."""

    def before(start, end) -> ColumnElement[bool]:
        return or_(start.is_(None), end.is_(None), start < end)

    return and_(before(since, until), before(other_since, other_until), before(since, other_until),
                before(other_since, until))


def in_period(column, start: date | None, end: date | None) -> ColumnElement[bool]:
    """Dates (points, such as a notice's date) in the closed period [start, end]; a missing bound is open."""
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column <= end)
    return and_(true(), *conditions)


# -- known at T -----------------------------------------------------------------------

def _by(moment: datetime | None, at: datetime | None) -> bool:
    """A recorded ``moment`` has happened by ``at`` (None: now)."""
    return moment is not None and (at is None or moment <= at)


def recorded_by(column, at: datetime | None) -> ColumnElement[bool]:
    """A row recorded at ``column`` exists at ``at`` (None: now)."""
    return true() if at is None else column <= at


def current(holding=Holding) -> ColumnElement[bool]:
    """Holdings the registry shows now."""
    return holding.known_until.is_(None)


def known(at: datetime | None, holding=Holding) -> ColumnElement[bool]:
    """Holdings the registry showed at recorded time ``at`` (now if None)."""
    if at is None:
        return current(holding)
    return and_(holding.known_from <= at, or_(holding.known_until.is_(None), holding.known_until > at))


def version_shown(at: datetime | None) -> ColumnElement[bool]:
    """Notice versions the registry showed at recorded time ``at`` (now if None)."""
    if at is None:
        return NoticeVersion.superseded_at.is_(None)
    return (NoticeVersion.recorded_at <= at) & (
        NoticeVersion.superseded_at.is_(None) | (NoticeVersion.superseded_at > at)
    )


def version_shown_at(version, at: datetime | None) -> bool:
    """Python mirror of ``version_shown``."""
    return _by(version.recorded_at, at) and not _by(version.superseded_at, at)


def event_in_force(at: datetime | None) -> ColumnElement[bool]:
    """Person events in force at recorded time ``at``: recorded by then and not undone by then."""
    if at is None:
        return PersonEvent.undone_at.is_(None)
    return (PersonEvent.recorded_at <= at) & (PersonEvent.undone_at.is_(None) | (PersonEvent.undone_at > at))


def event_in_force_at(event, at: datetime | None) -> bool:
    """Python mirror of ``event_in_force``."""
    return _by(event.recorded_at, at) and not _by(event.undone_at, at)


def event_undone_at(event, at: datetime | None) -> bool:
    """Whether the event had been undone by ``at``."""
    return _by(event.undone_at, at)


def notice_status(versions, at: datetime | None):
    """The status of a notice at recorded time ``at`` (now if None) and the version that shows it.

    ``versions`` are in version order and need only ``version``, ``recorded_at``
    and ``superseded_at`` (NoticeVersion objects or rows).  None: not yet recorded.
    """
    seen = [v for v in versions if _by(v.recorded_at, at)]
    if not seen:
        return None
    active = [v for v in seen if version_shown_at(v, at)]
    if active:
        version = active[-1]
        return ("amended" if version.version > 1 else "recorded"), version
    return "retracted", seen[-1]


# -- canonical order ---------------------------------------------------------------------

def canonical_order():
    """Notice date, then document number numerically (series, year, number), then clause order."""
    return (NoticeVersion.date, Notice.series, Notice.year, Notice.seq, Action.seq)


def notice_key(on, series, year, seq) -> tuple:
    """Python mirror of ``canonical_order`` for a notice: its date, then its number."""
    return (on, series, year, seq)


# -- recorded time ------------------------------------------------------------------------

def clock(session: Session, now: datetime | None = None) -> datetime:
    """The recorded time of this write, from the database server's clock (UTC).

    Strictly later than every recorded time before it, so that two writes in
    the same millisecond, or a server clock set back, still give
    known_until > known_from.  A given ``now`` (tests choose their moments) is
    used as it is and counted as handed out.  Call it inside the write
    transaction, which holds the writer lock.
    """
    # (value, the server's time) if the registry keeps its clock: as the writer lock read it, once
    row = session.info.pop(LOCKED_CLOCK, _UNREAD)
    if row is _UNREAD:
        row = session.connection().execute(_CLOCK).first()
    last = datetime.fromisoformat(row.value) if row is not None and row.value else _latest_recorded(session)
    if now is None:
        now = row.server_now if row is not None else session.scalar(select(server_now()))
        if last is not None and now <= last:
            now = last + TICK
    latest = now if last is None else max(now, last)
    session.connection().execute(_SET_CLOCK if row is not None else _NEW_CLOCK, {"value": latest.isoformat()})
    return now


LOCKED_CLOCK = "registry: the clock row as the writer lock read it"
_UNREAD = object()
_CLOCK = select(Meta.value, server_now().label("server_now")).where(Meta.key == "clock")
_SET_CLOCK = update(Meta.__table__).where(Meta.__table__.c.key == "clock").values(value=bindparam("value"))
_NEW_CLOCK = insert(Meta.__table__).values(key="clock", value=bindparam("value"))


def _latest_recorded(session: Session) -> datetime | None:
    """The latest recorded time in a registry that has not kept its clock (one written by 0.1.0)."""
    columns = (NoticeVersion.recorded_at, NoticeVersion.superseded_at, PersonEvent.recorded_at,
               PersonEvent.undone_at, Holding.known_from, Holding.known_until, Person.created_at)
    found = [session.scalar(select(func.max(column))) for column in columns]
    found = [moment for moment in found if moment is not None]
    return max(found) if found else None
