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
from .orgs import lookup_org, roster_rank, title_class
from .timerules import held_on, known, notice_status, on_probation, recorded_by
from .i18n import _


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


def roster(session: Session, org_name: str, as_of: date, known_at: datetime | None = None,
           detail: bool = False) -> dict:
    """A ranked roster.  ``detail`` adds the secondment, which the printed table shows (备注)."""
    org = lookup_org(session, org_name)
    rows = holding_rows(session, Holding.org_id == org.id, held_on(as_of), known_at=known_at)
    rows.sort(key=lambda r: (roster_rank(r.Post.title), r.Post.title, r.Holding.position))
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
        if detail:
            members[-1]["secondment"] = h.secondment
    return {"organization": org.name, "as_of": as_of.isoformat(), "members": members}


def who_held(session: Session, org_name: str, title: str, on: date, known_at: datetime | None = None,
             detail: bool = False) -> dict:
    """Holders of a post on a date.  ``detail`` adds whether a probation is running and the
    secondment, which the printed table shows but the JSON contract does not carry."""
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
            "acting": h.acting,
            "probation_until": iso(h.probation_until),
        }
        if detail:
            holder.update(on_probation=on_probation(h.probation_until, on), secondment=h.secondment)
        holders.append(holder)
    return {"organization": org.name, "title": title, "on": on.isoformat(), "holders": holders}


def history(session: Session, query: str, known_at: datetime | None = None, detail: bool = False) -> dict:
    """Everyone called ``query`` (or the person with that id), with their holdings in time order.
    ``detail`` adds the secondment, which the printed table shows (备注)."""
    query = query.strip()
    if query.isdigit():
        person = session.get(Person, int(query))
        if person is None:
            raise NotFound(_("no person with id {query}").format(query=query))
        condition = Holding.person_id == person.id
    else:
        condition = Person.name == query
    rows = holding_rows(session, condition, known_at=known_at)
    if not rows and not query.isdigit():
        raise NotFound(_("nobody called {query} is on record").format(query=query))
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
        if detail:
            entry["holdings"][-1]["secondment"] = h.secondment
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
               NoticeVersion.title, NoticeVersion.recorded_at, NoticeVersion.superseded_at, NoticeVersion.issuer,
               NoticeVersion.source_file, NoticeVersion.source_document, NoticeVersion.source_first_page,
               NoticeVersion.source_last_page)
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
            "issuer": version.issuer,
            "source": source_of(version),
        })
        present.setdefault((notice.series, notice.year), set()).add(notice.seq)
    missing = []
    for (series, year), seqs in present.items():
        missing += [f"{series}〔{year}〕{n}号" for n in range(min(seqs), max(seqs) + 1) if n not in seqs]
    return {"notices": entries, "missing": missing}


def source_of(version) -> dict | None:
    """Where a version's text came from: {"file", "document", "pages"}, or None when not on record."""
    if version.source_file is None:
        return None
    pages = None
    if version.source_first_page is not None:
        pages = [version.source_first_page, version.source_last_page]
    return {"file": version.source_file, "document": version.source_document, "pages": pages}


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


# -- every bureau at once, and the checks that keep answers from being silently empty (issue 11) --

def roster_all(session: Session, as_of: date, known_at: datetime | None = None,
               first: list[str] | None = None) -> dict:
    """Every organization's roster on ``as_of``, in the office's order (``registry.ordering``);
    organizations with nobody on record that day are named in ``without_holders``."""
    from .ordering import order_key

    names = sorted(session.scalars(select(Organization.name)), key=order_key(first))
    rosters, empty = [], []
    for name in names:
        answer = roster(session, name, as_of, known_at=known_at)
        (rosters if answer["members"] else empty).append(answer if answer["members"] else name)
    return {"as_of": as_of.isoformat(), "rosters": rosters, "without_holders": empty}


def titles_on_record(session: Session, org_name: str, known_at: datetime | None = None) -> list[str]:
    """Every title an organization has had a holding of (on any date), as known at ``known_at``."""
    org = lookup_org(session, org_name)
    return sorted(set(session.scalars(
        select(Post.title).join(Holding, Holding.post_id == Post.id).where(Holding.org_id == org.id, known(known_at))
    )))


def require_title(session: Session, org_name: str, title: str, known_at: datetime | None = None) -> None:
    """Refuse a title no notice ever named for the organization, naming the closest titles on
    record: a misspelt 副局常 must not read as "nobody held it"."""
    import difflib

    # Any title a notice ever named for the organization counts, retracted ones included: a post
    # whose only holder was retracted is answered (nobody), not refused.
    org = lookup_org(session, org_name)
    titles = sorted(set(session.scalars(select(Action.title).where(Action.org_id == org.id)))
                    | set(titles_on_record(session, org_name, known_at)))
    if title in titles:
        return
    org = org.name
    if not titles:
        raise NotFound(_("{org} has no post on record").format(org=org))
    close = difflib.get_close_matches(title, titles, n=3, cutoff=0.3) or titles[:3]
    raise NotFound(_("{org} has no {title} on record; closest: {items}").format(org=org, title=title, items=', '.join(close)))


def head_titles_on_record(session: Session, org_name: str, known_at: datetime | None = None) -> list[str]:
    """The head titles (主任, 局长 …) an organization has ever had a holder of."""
    return [t for t in titles_on_record(session, org_name, known_at) if title_class(t) == 0]


def with_secondments(session: Session, data: dict, known_at: datetime | None = None) -> dict:
    """A roster answer with each member's 挂职 note (``secondment``, or None) added, for the
    printed roster; the JSON contract of ``roster`` does not carry it."""
    org = lookup_org(session, data["organization"])
    as_of = date.fromisoformat(data["as_of"])
    notes = {(row.Person.id, row.Post.title): row.Holding.secondment
             for row in holding_rows(session, Holding.org_id == org.id, held_on(as_of), known_at=known_at)}
    for member in data["members"]:
        member["secondment"] = notes.get((member["person_id"], member["title"]))
    return data
