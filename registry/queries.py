"""The questions the office asks: roster, who held a post, a person's history, the notices.

Every query asks "as of D" through ``timerules.held_on`` and "as known at T"
through ``timerules.known`` (or ``notice_status`` for notices); no query writes
its own interval test.
Results are plain dicts in the shapes of the JSON contract.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from .errors import NotFound
from .models import Action, Holding, Notice, NoticeVersion, Organization, Person, Post, RosterImport, RosterRow
from .orgs import lookup_org, title_class
from .timerules import held_on, known, notice_status, on_probation, recorded_by


def iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _holdings_statement():
    """Holdings joined to their person, post, organization, the notices that started and
    ended them, and the person they rank after.  Built once: building it costs more than running it."""
    start, start_version, start_notice = aliased(Action, name="start"), aliased(NoticeVersion), aliased(Notice)
    end, end_version, end_notice = aliased(Action), aliased(NoticeVersion), aliased(Notice)
    after = aliased(Person)
    start_row, roster = aliased(RosterRow, name="start_row"), aliased(RosterImport)
    # A holding starts with a notice's action or a starting roster's row: its basis is the one it has.
    return (
        select(Holding, Person, Post, Organization, start, start_row,
               func.coalesce(start_notice.number, roster.label).label("basis"),
               end_notice.number.label("removed_by"), after.name.label("ranked_after_name"))
        .join(Person, Holding.person_id == Person.id)
        .join(Post, Holding.post_id == Post.id)
        .join(Organization, Holding.org_id == Organization.id)
        .outerjoin(start, Holding.start_action_id == start.id)
        .outerjoin(start_version, start.version_id == start_version.id)
        .outerjoin(start_notice, start_version.notice_id == start_notice.id)
        .outerjoin(start_row, Holding.start_roster_row_id == start_row.id)
        .outerjoin(roster, start_row.import_id == roster.id)
        .outerjoin(end, Holding.end_action_id == end.id)
        .outerjoin(end_version, end.version_id == end_version.id)
        .outerjoin(end_notice, end_version.notice_id == end_notice.id)
        .outerjoin(after, Holding.ranked_after_person_id == after.id)
    )


_HOLDINGS = _holdings_statement()


def holding_rows(session: Session, *conditions, known_at: datetime | None = None, columns=()):
    """Holdings known at ``known_at`` meeting ``conditions``, as rows with Holding, Person, Post,
    Organization, start (the Action that started it) or start_row (the roster row that did),
    basis (its notice number, or the roster's label), removed_by and ranked_after_name, plus any
    extra labelled ``columns``."""
    return session.execute(_HOLDINGS.add_columns(*columns).where(known(known_at), *conditions)).all()


def roster(session: Session, org_name: str, as_of: date, known_at: datetime | None = None) -> dict:
    org = lookup_org(session, org_name)
    rows = holding_rows(session, Holding.org_id == org.id, held_on(as_of), known_at=known_at)
    rows.sort(key=lambda r: (title_class(r.Post.title), r.Post.title, r.Holding.position))
    members = []
    for rank, row in enumerate(rows, start=1):
        h = row.Holding
        members.append({
            "rank": rank,
            "name": row.Person.name,
            "person_id": row.Person.id,
            "title": row.Post.title,
            "since": iso(h.since),
            "start_known": h.since is not None,
            "concurrent": h.concurrent,
            "acting": h.acting,
            "inferred": h.inferred,
            "probation_until": iso(h.probation_until),
            "on_probation": on_probation(h.probation_until, as_of),
            "ranked_after": row.ranked_after_name,
            "basis": row.basis,
        })
    return {"organization": org.name, "as_of": as_of.isoformat(), "members": members}


def who_held(session: Session, org_name: str, title: str, on: date, known_at: datetime | None = None,
             detail: bool = False) -> dict:
    """Holders of a post on a date.  ``detail`` adds acting and probation, which the
    printed table shows but the JSON contract does not carry."""
    org = lookup_org(session, org_name)
    rows = holding_rows(session, Holding.org_id == org.id, Post.title == title, held_on(on), known_at=known_at)
    rows.sort(key=lambda r: r.Holding.position)
    holders = []
    for row in rows:
        h = row.Holding
        holder = {
            "name": row.Person.name,
            "person_id": row.Person.id,
            "since": iso(h.since),
            "until": iso(h.until),
            "start_known": h.since is not None,
            "concurrent": h.concurrent,
            "inferred": h.inferred,
            "basis": row.basis,
        }
        if detail:
            holder.update(acting=h.acting, probation_until=iso(h.probation_until),
                          on_probation=on_probation(h.probation_until, on))
        holders.append(holder)
    return {"organization": org.name, "title": title, "on": on.isoformat(), "holders": holders}


def history(session: Session, query: str, known_at: datetime | None = None) -> dict:
    """Everyone called ``query`` (or the person with that id), with their holdings in time order."""
    query = query.strip()
    if query.isdigit():
        person = session.get(Person, int(query))
        if person is None:
            raise NotFound(f"no person with id {query}")
        condition = Holding.person_id == person.id
    else:
        condition = Person.name == query
    rows = holding_rows(session, condition, known_at=known_at)
    if not rows and not query.isdigit():
        raise NotFound(f"nobody called {query} is on record")
    by_person: dict[int, dict] = {}
    rows.sort(key=lambda r: (r.Person.id, r.Holding.since is not None, r.Holding.since or date.min,
                             r.Holding.until or date.max, r.Holding.id))
    for row in rows:
        h = row.Holding
        entry = by_person.setdefault(row.Person.id, {"person_id": row.Person.id, "name": row.Person.name, "holdings": []})
        entry["holdings"].append({
            "organization": row.Organization.name,
            "title": row.Post.title,
            "since": iso(h.since),
            "until": iso(h.until),
            "start_known": h.since is not None,
            "concurrent": h.concurrent,
            "acting": h.acting,
            "inferred": h.inferred,
            "probation_until": iso(h.probation_until),
            "ranked_after": row.ranked_after_name,
            "appointed_by": _appointed_by(row),
            "removed_by": row.removed_by,
            "end_reason": h.end_reason,
        })
    return {"query": query, "people": list(by_person.values())}


def _appointed_by(row) -> str | None:
    """The appointing notice: the one on record, or the 任职文号 a starting roster gives."""
    if row.start is None:
        return row.start_row.document
    return row.basis if row.start.kind == "appoint" and not row.Holding.inferred else None


def notices(session: Session, known_at: datetime | None = None) -> dict:
    at = known_at
    # Three queries of plain rows, whatever the number of notices: a listing of a
    # province's archive must not build an object per notice and per version.
    versions: dict[int, list] = {}
    for version in session.execute(
        select(NoticeVersion.id, NoticeVersion.notice_id, NoticeVersion.version, NoticeVersion.date,
               NoticeVersion.title, NoticeVersion.recorded_at, NoticeVersion.superseded_at)
        .where(recorded_by(NoticeVersion.recorded_at, at)).order_by(NoticeVersion.version)
    ):
        versions.setdefault(version.notice_id, []).append(version)
    counts = dict(session.execute(select(Action.version_id, func.count(Action.id)).group_by(Action.version_id)).all())
    entries, present = [], {}
    for notice in session.execute(
        select(Notice.id, Notice.number, Notice.series, Notice.year, Notice.seq)
        .order_by(Notice.series, Notice.year, Notice.seq)
    ):
        status = notice_status(versions.get(notice.id, []), at)
        if status is None:
            continue
        state, version = status
        entries.append({
            "number": notice.number,
            "date": version.date.isoformat(),
            "title": version.title,
            "actions": counts.get(version.id, 0),
            "status": state,
        })
        present.setdefault((notice.series, notice.year), set()).add(notice.seq)
    missing = []
    for (series, year), seqs in present.items():
        missing += [f"{series}〔{year}〕{n}号" for n in range(min(seqs), max(seqs) + 1) if n not in seqs]
    return {"notices": entries, "missing": missing}


def organizations(session: Session, known_at: datetime | None = None) -> dict:
    counts = dict(session.execute(
        select(Holding.org_id, func.count(Holding.id)).where(known(known_at)).group_by(Holding.org_id)
    ).all())
    result = []
    for org in session.scalars(select(Organization).order_by(Organization.name)):
        result.append({
            "name": org.name,
            "aliases": [a.alias for a in org.aliases],
            "holdings": counts.get(org.id, 0),
        })
    return {"organizations": result}
