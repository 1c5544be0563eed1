"""The questions the office asks: roster, who held a post, a person's history, the notices.

Every query asks "as of D" through ``timerules.held_on`` and "as known at T"
through ``timerules.known`` (or ``notice_status`` for notices); no query writes
its own interval test.
Results are plain dicts in the shapes of the JSON contract.
"""

from __future__ import annotations

from datetime import date, datetime
from itertools import groupby
from operator import attrgetter
from typing import Iterator

from sqlalchemy import Date, DateTime, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from .db import streamed
from .errors import NotFound
from .models import Action, Holding, Notice, NoticeVersion, Organization, Person, Post, RosterImport, RosterRow
from .orgs import lookup_org, org_row, roster_rank, title_class
from .timerules import held_on, known, notice_status, on_probation
from .i18n import _


def iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


# Each statement is built on its first use, then kept here: building one costs more than running it.
_BUILT: dict = {}


def forget_statements() -> None:
    """Drop the statements built so far; each is built again on its next use.

    The tests do this before each test when mutation testing runs (``tests/conftest.py``): a
    statement built once per process would be built by whichever test came first, so mutmut would
    map the builder's mutants to that test alone, and later tests would run the statement a mutant
    built before it was switched on."""
    _BUILT.clear()


def _holdings_statement():
    """Holdings joined to their person, post, organization, and the notices (or the roster row)
    that started and ended them.  Built once, on first use (``_holdings``): building it costs more
    than running it."""
    start, start_version, start_notice = aliased(Action, name="start"), aliased(NoticeVersion), aliased(Notice)
    end, end_version, end_notice = aliased(Action), aliased(NoticeVersion), aliased(Notice)
    start_row, roster = aliased(RosterRow, name="start_row"), aliased(RosterImport)
    # A holding starts with a notice's action or a starting roster's row: its basis is the one it has.
    return (
        select(Holding, Person, Post, Organization, start, start_row,
               func.coalesce(start_notice.number, roster.label).label("basis"),
               end_notice.number.label("removed_by"))
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
    )


def _kept(key, build):
    """The statement kept under ``key``, built by ``build()`` on first use (``forget_statements``)."""
    statement = _BUILT.get(key)
    if statement is None:
        statement = _BUILT[key] = build()
    return statement


def _holdings():
    return _kept("holdings", _holdings_statement)


def holding_rows(session: Session, *conditions, known_at: datetime | None = None, columns=()):
    """Holdings known at ``known_at`` meeting ``conditions``, as rows with Holding, Person, Post,
    Organization, start (the Action that started it) or start_row (the roster row that did),
    basis (its notice number, or the roster's label) and removed_by, plus any extra labelled
    ``columns``."""
    return session.execute(_holdings().add_columns(*columns).where(known(known_at), *conditions)).all()


# -- roster, who-held, history: plain columns --------------------------------------------
#
# The three questions asked most read plain columns (Core), not ORM entities: turning rows into
# objects cost more than the query.  Each statement is built once, with bound parameters, so that
# SQLAlchemy compiles it once; the "known at" variant is a second statement.

def _plain_statement(condition_for, known_at: bool):
    """Holdings (as plain columns) with their person, post, organization, the notices that
    started and ended them and the person they rank after; ``condition_for(holdings)`` adds
    the question's own conditions, with bound parameters."""
    h, person, post, org = Holding.__table__, Person.__table__, Post.__table__, Organization.__table__
    start, start_version = Action.__table__.alias("start"), NoticeVersion.__table__.alias("start_version")
    start_notice = Notice.__table__.alias("start_notice")
    end, end_version = Action.__table__.alias("end_action"), NoticeVersion.__table__.alias("end_version")
    end_notice, after = Notice.__table__.alias("end_notice"), Person.__table__.alias("after")
    start_row, roster_import = RosterRow.__table__.alias("start_row"), RosterImport.__table__.alias("roster")
    joined = (
        h.join(person, h.c.person_id == person.c.id)
        .join(post, h.c.post_id == post.c.id)
        .join(org, h.c.org_id == org.c.id)
        .outerjoin(start, h.c.start_action_id == start.c.id)
        .outerjoin(start_version, start.c.version_id == start_version.c.id)
        .outerjoin(start_notice, start_version.c.notice_id == start_notice.c.id)
        .outerjoin(start_row, h.c.start_roster_row_id == start_row.c.id)
        .outerjoin(roster_import, start_row.c.import_id == roster_import.c.id)
        .outerjoin(end, h.c.end_action_id == end.c.id)
        .outerjoin(end_version, end.c.version_id == end_version.c.id)
        .outerjoin(end_notice, end_version.c.notice_id == end_notice.c.id)
        .outerjoin(after, h.c.ranked_after_person_id == after.c.id)
    )
    moment = bindparam("known_at", type_=DateTime) if known_at else None
    statement = (
        select(
            h.c.id, h.c.person_id, person.c.name, post.c.title, org.c.name.label("organization"),
            h.c.since, h.c.until, h.c.concurrent, h.c.acting, h.c.inferred, h.c.probation_until,
            h.c.position, h.c.secondment, h.c.end_reason,
            start.c.id.label("start_id"), start.c.kind.label("start_kind"), start_row.c.document,
            func.coalesce(start_notice.c.number, roster_import.c.label).label("basis"),
            end_notice.c.number.label("removed_by"), after.c.name.label("ranked_after_name"),
        )
        .select_from(joined)
        .where(known(moment, h.c), *condition_for(h.c, post.c, person.c))
    )
    if tuple(statement.selected_columns.keys()) != PLAIN_COLUMNS:  # the readers unpack rows in this order
        raise RuntimeError(f"the plain statement's columns are {tuple(statement.selected_columns.keys())}")
    return statement


# The plain statement's columns, in order: roster, who_held and history unpack its rows by position
# (a lookup by name for each field cost more than the statement, on a large roster).
PLAIN_COLUMNS = ("id", "person_id", "name", "title", "organization", "since", "until", "concurrent", "acting",
                 "inferred", "probation_until", "position", "secondment", "end_reason", "start_id", "start_kind",
                 "document", "basis", "removed_by", "ranked_after_name")


_ON = bindparam("on", type_=Date)


def _roster_conditions(h, post, person):
    return h.org_id == bindparam("org_id"), held_on(_ON, h)


def _who_held_conditions(h, post, person):
    # A holding's post is always one of its organization's (derive makes it so): naming the post's
    # organization as well lets the planner find the post by its (org_id, title) key.
    return (h.org_id == bindparam("org_id"), post.org_id == bindparam("org_id"), post.title == bindparam("title"),
            held_on(_ON, h))


def _name_conditions(h, post, person):
    return (person.name == bindparam("name"),)


def _person_conditions(h, post, person):
    return (h.person_id == bindparam("person_id"),)


def _plain_rows(session: Session, conditions, known_at: datetime | None, **params) -> list:
    """The rows of the plain statement with ``conditions`` (one of the ``_…_conditions`` above),
    as known at ``known_at`` (None: now)."""
    as_known = known_at is not None
    statement = _kept((conditions, as_known), lambda: _plain_statement(conditions, as_known))
    if known_at is not None:
        params["known_at"] = known_at
    return session.execute(statement, params).all()


def roster(session: Session, org_name: str, as_of: date, known_at: datetime | None = None,
           detail: bool = False) -> dict:
    """A ranked roster.  ``detail`` adds each member's secondment (挂职), which the printed roster
    shows (备注) but the JSON contract does not carry."""
    org = org_row(session, org_name)
    rows = _plain_rows(session, _roster_conditions, known_at, org_id=org.id, on=as_of)
    # A roster holds a few titles: each title's rank once, not once a member.
    ranks = {title: (roster_rank(title), title) for title in {r.title for r in rows}}
    rows.sort(key=lambda r: (ranks[r.title], r.position))
    members = [
        {
            "rank": rank,
            "name": name,
            "person_id": person_id,
            "title": title,
            "since": iso(since),
            "start_known": since is not None,
            "concurrent": concurrent,
            "acting": acting,
            "inferred": inferred,
            "probation_until": iso(probation_until),
            "on_probation": on_probation(probation_until, as_of),
            "ranked_after": ranked_after_name,
            "basis": basis,
            **({"secondment": secondment} if detail else {}),
        }
        # PLAIN_COLUMNS, unpacked by position.
        for rank, (_id, person_id, name, title, _organization, since, _until, concurrent, acting, inferred,
                   probation_until, _position, secondment, _end_reason, _start_id, _start_kind, _document,
                   basis, _removed_by, ranked_after_name) in enumerate(rows, start=1)
    ]
    return {"organization": org.name, "as_of": as_of.isoformat(), "members": members}


def who_held(session: Session, org_name: str, title: str, on: date, known_at: datetime | None = None,
             detail: bool = False) -> dict:
    """Holders of a post on a date.  ``detail`` adds whether a probation is running and the
    secondment, which the printed table shows but the JSON contract does not carry."""
    org = org_row(session, org_name)
    rows = _plain_rows(session, _who_held_conditions, known_at, org_id=org.id, title=title, on=on)
    rows.sort(key=lambda r: r.position)
    holders = []
    # PLAIN_COLUMNS, unpacked by position.
    for (_id, person_id, name, _title, _organization, since, until, concurrent, acting, inferred, probation_until,
         _position, secondment, _end_reason, _start_id, _start_kind, _document, basis, _removed_by,
         _ranked_after_name) in rows:
        holder = {
            "name": name,
            "person_id": person_id,
            "since": iso(since),
            "until": iso(until),
            "start_known": since is not None,
            "concurrent": concurrent,
            "inferred": inferred,
            "basis": basis,
            "acting": acting,
            "probation_until": iso(probation_until),
        }
        if detail:
            holder.update(on_probation=on_probation(probation_until, on), secondment=secondment)
        holders.append(holder)
    return {"organization": org.name, "title": title, "on": on.isoformat(), "holders": holders}


def history(session: Session, query: str, known_at: datetime | None = None, detail: bool = False) -> dict:
    """Everyone called ``query`` (or the person with that id), with their holdings in time order.
    ``detail`` adds the secondment, which the printed table shows (备注)."""
    query = query.strip()
    if query.isdigit():
        person_id = session.scalar(select(Person.__table__.c.id).where(Person.__table__.c.id == int(query)))
        if person_id is None:
            raise NotFound(_("no person with id {query}").format(query=query))
        rows = _plain_rows(session, _person_conditions, known_at, person_id=person_id)
    else:
        rows = _plain_rows(session, _name_conditions, known_at, name=query)
    if not rows and not query.isdigit():
        raise NotFound(_("nobody called {query} is on record").format(query=query))
    by_person: dict[int, dict] = {}
    rows.sort(key=lambda r: (r.person_id, r.since is not None, r.since or date.min, r.until or date.max, r.id))
    # PLAIN_COLUMNS, unpacked by position.
    for (_id, person_id, name, title, organization, since, until, concurrent, acting, inferred, probation_until,
         _position, secondment, end_reason, start_id, start_kind, document, basis, removed_by,
         ranked_after_name) in rows:
        entry = by_person.get(person_id)
        if entry is None:
            entry = by_person[person_id] = {"person_id": person_id, "name": name, "holdings": []}
        holding = {
            "organization": organization,
            "title": title,
            "since": iso(since),
            "until": iso(until),
            "start_known": since is not None,
            "concurrent": concurrent,
            "acting": acting,
            "inferred": inferred,
            "probation_until": iso(probation_until),
            "ranked_after": ranked_after_name,
            # The appointing notice: the one on record, or the 任职文号 a starting roster gives.
            "appointed_by": (document if start_id is None
                             else basis if start_kind == "appoint" and not inferred else None),
            "removed_by": removed_by,
            "end_reason": end_reason,
        }
        if detail:
            holding["secondment"] = secondment
        entry["holdings"].append(holding)
    return {"query": query, "people": list(by_person.values())}


def notices(session: Session, known_at: datetime | None = None) -> dict:
    missing: list[str] = []
    return {"notices": list(notice_entries(session, known_at, missing)), "missing": missing}


def notice_entries(session: Session, known_at: datetime | None, missing: list[str]) -> Iterator[dict]:
    """The entries of ``notices``, one at a time, in series, year and number order, from one query
    read a batch at a time (``notices --format json`` writes each as it comes: a province's listing
    is never held whole); the numbers missing inside each series and year are added to ``missing``
    as the notices on either side of them pass."""
    at = known_at
    before = None  # (series, year, seq) of the last notice on record
    # The rows come a notice's versions together (the statement's order).
    for _notice_id, versions in groupby(streamed(session, _NOTICE_VERSIONS), key=attrgetter("notice_id")):
        status = notice_status(list(versions), at)  # (which takes only the versions recorded by ``at``)
        if status is None:
            continue
        state, version = status
        yield {
            "number": version.number,
            "date": version.date.isoformat(),
            "title": version.title,
            "actions": version.actions,
            "status": state,
            "issuer": version.issuer,
            "source": source_of(version),
        }
        key = (version.series, version.year)
        if before is not None and before[:2] == key:
            missing += [f"{version.series}〔{version.year}〕{n}号" for n in range(before[2] + 1, version.seq)]
        before = (*key, version.seq)


# Every version of every notice with what the listing says of it, in the listing's order: a notice's
# versions together, in version order.
_NOTICE_VERSIONS = (
    select(Notice.number, Notice.series, Notice.year, Notice.seq, NoticeVersion.notice_id, NoticeVersion.version,
           NoticeVersion.date, NoticeVersion.title, NoticeVersion.recorded_at, NoticeVersion.superseded_at,
           NoticeVersion.issuer, NoticeVersion.source_file, NoticeVersion.source_document,
           NoticeVersion.source_first_page, NoticeVersion.source_last_page,
           select(func.count(Action.id)).where(Action.version_id == NoticeVersion.id).scalar_subquery()
           .label("actions"))
    .join(NoticeVersion, NoticeVersion.notice_id == Notice.id)
    .order_by(Notice.series, Notice.year, Notice.seq, Notice.id, NoticeVersion.version)
)


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
               first: list[str] | None = None, detail: bool = False) -> dict:
    """Every organization's roster on ``as_of``, in the office's order (``registry.ordering``);
    organizations with nobody on record that day are named in ``without_holders``.  ``detail``: as
    for ``roster``."""
    from .ordering import order_key

    names = sorted(session.scalars(select(Organization.name)), key=order_key(first))
    rosters, empty = [], []
    for name in names:
        answer = roster(session, name, as_of, known_at=known_at, detail=detail)
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


