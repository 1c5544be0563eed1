"""The reports the office asks for after the roster: changes, probations, vacancies, integrity.

Each report is a plain function over a Session returning a dict in the shape
of its JSON output.  Every time test goes through ``timerules``: "held on D"
(``held_on``: since <= D < until, NULL being open), "known at T" (``known``,
``version_shown``, ``event_in_force``), a closed period of notice dates
(``in_period``, for ``changes``), and two spans sharing a date
(``share_a_date``, and its SQL mirror ``spans_share_a_date``, for the evidence
extents of holdings when telling whether two namesakes could be one person, or
two heads held one post at once, in ``check``).

``changes`` reads the actions of the notice versions in force at the recorded
time (the source), so it lists what the notices say, in canonical order, with
the people as merges and splits in force identify them.  An appointment
ranked 列X之后 is a re-ranking: it is one "appoint" row whose ``ranked_after``
names X.  An appointment of the acting holder of the very post (代理转正) is one
"confirmed" row: the acting holding ends and the substantive one starts.  A holder the registry knows only from such a reference (an inferred
holding) appears once, as a "referenced" row just before the appointment
that names them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterator, NamedTuple

from sqlalchemy import and_, exists, func, not_, or_, select
from sqlalchemy.orm import Session, aliased

from .db import streamed
from .derive import person_map
from .models import (
    ACTION_KINDS, END_REASONS, EVENT_KINDS, EVENT_ROLES, SUPERSEDE_KINDS, Action, Base, Holding, Notice, NoticeVersion,
    Organization, Person, PersonEvent, PersonEventAction, Post, RosterImport, RosterRow,
)
from .text import content_hash
from .orgs import HEAD_TITLES, lookup_org, title_class
from .queries import holding_rows, iso
from .timerules import (
    Span, canonical_order, ended_by, event_in_force, held_on, in_period, known, probation_covers, probation_until,
    recorded_by, share_a_date, spans_share_a_date, version_shown,
)
from .i18n import N_, _

# -- changes ---------------------------------------------------------------------


def changes(session: Session, org_name: str | None = None, start: date | None = None, end: date | None = None,
            known_at: datetime | None = None) -> dict:
    """Every appointment, removal and re-ranking with a notice date in [start, end], in canonical order."""
    at = known_at
    org = lookup_org(session, org_name) if org_name is not None else None
    people = person_map(session, at)
    query = (
        select(Action, NoticeVersion.date, Notice.number, Organization.name)
        .join(NoticeVersion, Action.version_id == NoticeVersion.id)
        .join(Notice, NoticeVersion.notice_id == Notice.id)
        .join(Organization, Action.org_id == Organization.id)
        .where(version_shown(at), in_period(NoticeVersion.date, start, end))
        .order_by(*canonical_order())
    )
    if org is not None:
        query = query.where(Action.org_id == org.id)
    rows = session.execute(query).all()

    # Holders known only from a 列X之后 reference, by the action that names them.
    referenced: dict[int, list[Holding]] = {}
    action_ids = [row.Action.id for row in rows if row.Action.ranked_after_person_id is not None]
    if action_ids:
        for holding in session.scalars(
            select(Holding).where(known(known_at), Holding.inferred.is_(True), Holding.start_action_id.in_(action_ids))
        ):
            referenced.setdefault(holding.start_action_id, []).append(holding)

    # Appointments that ended the same person's acting holding of the post: 代理转正, one event.
    appointed = [row.Action.id for row in rows if row.Action.kind == "appoint" and not row.Action.acting]
    confirmed = set(session.scalars(
        select(Holding.end_action_id).where(known(known_at), Holding.end_reason == "confirmed",
                                            Holding.end_action_id.in_(appointed))
    )) if appointed else set()

    entries = []
    for action, on, number, org_full in rows:
        base = {"date": on.isoformat(), "number": number}
        for holding in referenced.get(action.id, []):
            entries.append({
                **base, "action": "referenced", "name": action.ranked_after_name, "person_id": holding.person_id,
                "organization": org_full, "title": action.title, "concurrent": False, "acting": False,
                "probation_until": None, "ranked_after": None, "end_reason": None, "secondment": None,
                "clause": action.clause,
            })
        appoint = action.kind == "appoint"
        entries.append({
            **base,
            "action": "confirmed" if action.id in confirmed else action.kind,
            "name": action.name,
            "person_id": people.subject(action),
            "organization": org_full,
            "title": action.title,
            "concurrent": action.concurrent,
            "acting": action.acting,
            "probation_until": iso(probation_until(on, action.probation_months)) if appoint else None,
            "ranked_after": action.ranked_after_name,
            "end_reason": None if appoint else (action.end_reason or "removed"),
            "secondment": action.secondment,
            "clause": action.clause,
        })
    return {
        "from": iso(start),
        "to": iso(end),
        "organization": org.name if org is not None else None,
        "changes": entries,
    }


# -- probation -------------------------------------------------------------------

def probation(session: Session, on: date, ending_within: int | None = None,
              known_at: datetime | None = None) -> dict:
    """Probations whose period covers ``on``: running, running out soon, or cut short.

    - in_force: the post is held on ``on`` and on < probation_until;
    - ending_soon: in force, and probation_until <= on + ending_within days;
    - terminated: the post ended by 终止试用期 before ``on``, within the period;
    - ended_early: the post ended otherwise (removed, reassigned, …) before ``on``,
      within the period.
    """
    rows = holding_rows(session, probation_covers(on),
                        known_at=known_at, columns=[held_on(on).label("held")])
    soon = on + timedelta(days=ending_within) if ending_within is not None else None
    items = []
    for row in rows:
        h, held = row.Holding, row.held
        if held:
            status = "ending_soon" if soon is not None and h.probation_until <= soon else "in_force"
        else:  # begun by ``on`` (probation_covers) and not held on it: ended by then
            status = "terminated" if h.end_reason == "probation_terminated" else "ended_early"
        items.append({
            "name": row.Person.name,
            "person_id": h.person_id,
            "organization": row.Organization.name,
            "title": row.Post.title,
            "since": iso(h.since),
            "probation_until": iso(h.probation_until),
            "status": status,
            "basis": row.basis,
            "until": iso(h.until) if not held else None,
            "end_reason": h.end_reason if not held else None,
            "ended_by": row.removed_by if not held else None,
        })
    items.sort(key=lambda p: (p["status"] in ("ended_early", "terminated"), p["probation_until"],
                              p["organization"], p["title"], p["name"], p["person_id"]))
    return {"on": on.isoformat(), "ending_within": ending_within, "probations": items}


# -- vacancies -------------------------------------------------------------------


def vacancies(session: Session, org_name: str, as_of: date, known_at: datetime | None = None) -> dict:
    """Head posts of an organization (any holding of the title ever) that nobody holds on ``as_of``."""
    org = lookup_org(session, org_name)
    rows = holding_rows(session, Holding.org_id == org.id, known_at=known_at, columns=[held_on(as_of).label("held")])
    by_title: dict[str, list] = {}
    for row in rows:
        if title_class(row.Post.title) == 0:
            by_title.setdefault(row.Post.title, []).append(row)
    result = []
    for title in sorted(by_title):
        holdings = by_title[title]
        if any(row.held for row in holdings):
            continue
        # Not held on as_of: the ones with an end on or before it are the earlier holders.
        earlier = [row for row in holdings if ended_by(row.Holding, as_of)]
        last = max(earlier, key=lambda r: (r.Holding.until, r.Holding.position, r.Holding.id), default=None)
        result.append({
            "title": title,
            "last_holder": last.Person.name if last else None,
            "last_person_id": last.Holding.person_id if last else None,
            "vacant_since": iso(last.Holding.until) if last else None,
            "removed_by": last.removed_by if last else None,
        })
    return {"organization": org.name, "as_of": as_of.isoformat(), "vacancies": result}


# -- check -----------------------------------------------------------------------

# Errors make the registry's answers wrong; warnings ask a clerk to look.
ERROR_CODES = (
    "overlapping_holdings", "end_before_start", "probation_mismatch", "reference_outside_org",
    # What the database rules refuse, found in a registry written around them (by hand, or
    # before the rules existed): check reports them instead of failing on them.
    "text_changed", "dangling_reference", "unknown_value", "several_active_versions", "known_before_recorded",
)
WARNING_CODES = ("possible_same_person", "series_gap", "several_heads", "roster_conflict")


@dataclass(slots=True)
class Finding:
    code: str
    message: str
    holdings: list[int] = field(default_factory=list)
    people: list[int] = field(default_factory=list)
    notices: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "ids": {"holdings": self.holdings, "people": self.people, "notices": self.notices},
        }


def _known_holdings(known_at: datetime | None):
    """Holdings known at ``known_at``, as an alias to join against ``Holding`` itself."""
    return aliased(Holding, select(Holding).where(known(known_at)).subquery("known_holdings"))


class _HeldRow(NamedTuple):
    """What check reads of a holding."""

    id: int
    person_id: int
    post_id: int
    since: date | None
    until: date | None
    acting: bool
    concurrent: bool


@dataclass
class _Described:
    """A holding with what a message needs to name it."""

    holding: _HeldRow
    name: str
    organization: str
    title: str
    start_date: date  # the date of the notice whose action started the record (or of its roster)
    start_notice_id: int | None  # None for a holding a starting roster started
    end_notice_id: int | None

    def text(self) -> str:
        since = self.holding.since.isoformat() if self.holding.since else _("start not on record")
        until = self.holding.until.isoformat() if self.holding.until else _("still holds")
        return _("{organization}{title} [{since}, {until}) (holding {id})").format(organization=self.organization, title=self.title, since=since, until=until, id=self.holding.id)


def _description(known_at: datetime | None, evidence: bool = False):
    """Holdings known at ``known_at`` that name a person, organization and post on record, with
    what a message says of them (their person's name, organization, title, and the notices that
    started and ended them): the one statement every finding about holdings reads.  The columns
    of ``_Described``, or with ``evidence`` those of ``_Evidence`` and then the post, acting and
    concurrent."""
    start, start_version = aliased(Action), aliased(NoticeVersion)
    end, end_version = aliased(Action), aliased(NoticeVersion)
    start_date = func.coalesce(start_version.date, RosterImport.as_of)
    if evidence:
        columns = (Holding.id, Holding.person_id, Person.name, Organization.name, Post.title, Holding.until,
                   func.coalesce(Holding.since, start_date).label("known_start"), start_version.notice_id,
                   end_version.notice_id, Holding.post_id, Holding.acting, Holding.concurrent)
    else:
        columns = (Holding.id, Holding.person_id, Holding.post_id, Holding.since, Holding.until, Holding.acting,
                   Holding.concurrent, Person.name, Organization.name, Post.title, start_date,
                   start_version.notice_id, end_version.notice_id)
    return (
        select(*columns)
        .join(Person, Holding.person_id == Person.id)
        .join(Organization, Holding.org_id == Organization.id)
        .join(Post, Holding.post_id == Post.id)
        .outerjoin(start, Holding.start_action_id == start.id)
        .outerjoin(start_version, start.version_id == start_version.id)
        .outerjoin(RosterRow, Holding.start_roster_row_id == RosterRow.id)
        .outerjoin(RosterImport, RosterRow.import_id == RosterImport.id)
        .outerjoin(end, Holding.end_action_id == end.id)
        .outerjoin(end_version, end.version_id == end_version.id)
        .where(known(known_at))
    )


def _describe(session: Session, known_at: datetime | None, ids) -> dict[int, _Described]:
    """The holdings ``ids`` described, in batches of indexed look-ups; a holding pointing at a
    missing person, organization or post is left out (dangling_reference reports it)."""
    ids = sorted(set(ids))
    found: dict[int, _Described] = {}
    for chunk in range(0, len(ids), 500):
        for row in session.execute(_description(known_at).where(Holding.id.in_(ids[chunk:chunk + 500]))):
            found[row[0]] = _Described(_HeldRow(*row[:7]), *row[7:])
    return found


def _end_before_start(session: Session, known_at) -> list[Finding]:
    # A holding that is not held on its own first day ends on or before it.
    ids = session.scalars(
        select(Holding.id).where(known(known_at), Holding.since.is_not(None), not_(held_on(Holding.since)))
        .order_by(Holding.id)
    ).all()
    held = _describe(session, known_at, ids)
    return [
        Finding("end_before_start", _("{name}: {value} ends on or before the day it starts").format(name=held[i].name, value=held[i].text()),
                holdings=[i], people=[held[i].holding.person_id])
        for i in ids if i in held
    ]


def _overlaps(session: Session, known_at, empty: set[int]) -> list[Finding]:
    # Two holdings overlap when the one that starts earlier (or has no start on record)
    # is still held on the day the other starts; two unknown starts always overlap.
    later = _known_holdings(known_at)
    pairs = session.execute(
        select(Holding.id, later.id).where(
            known(known_at),
            Holding.person_id == later.person_id,
            Holding.post_id == later.post_id,
            Holding.id != later.id,
            or_(
                and_(Holding.since.is_(None), later.since.is_(None), Holding.id < later.id),
                and_(
                    later.since.is_not(None),
                    held_on(later.since),
                    or_(Holding.since.is_(None), Holding.since < later.since,
                        and_(Holding.since == later.since, Holding.id < later.id)),
                ),
            ),
        ).order_by(Holding.id, later.id)
    ).all()
    # An empty holding overlaps nothing (end_before_start reports it).
    pairs = [(first, second) for first, second in pairs if first not in empty and second not in empty]
    held = _describe(session, known_at, [i for pair in pairs for i in pair])
    findings = []
    for first, second in pairs:
        if first not in held or second not in held:
            continue  # a holding pointing at a missing row: dangling_reference reports it
        a, b = held[first], held[second]
        findings.append(Finding(
            "overlapping_holdings",
            _("{name} (person {person_id}) holds {organization}{title} twice at once: {value} and "
               "{value2}").format(name=a.name, person_id=a.holding.person_id, organization=a.organization, title=a.title, value=a.text(), value2=b.text()),
            holdings=sorted([first, second]), people=[a.holding.person_id],
        ))
    return findings


def _references_outside(session: Session, known_at) -> list[Finding]:
    ref = _known_holdings(known_at)
    anchor = (
        select(Holding.id).where(
            known(known_at),
            Holding.person_id == ref.ranked_after_person_id,
            Holding.org_id == ref.org_id,
            held_on(ref.since),
        )
    )
    rows = session.execute(
        select(ref.id, ref.ranked_after_person_id, Person.name)
        .join(Person, ref.ranked_after_person_id == Person.id)
        .where(ref.ranked_after_person_id.is_not(None), not_(exists(anchor)))
        .order_by(ref.id)
    ).all()
    held = _describe(session, known_at, [row[0] for row in rows])
    findings = []
    for holding_id, after_id, after_name in rows:
        if holding_id not in held:
            continue
        h = held[holding_id]
        on = h.holding.since.isoformat() if h.holding.since else _("its start")
        findings.append(Finding(
            "reference_outside_org",
            _("{name}: {value} is ranked after {after_name} (person {after_id}), who holds nothing in "
               "{organization} on {on}").format(name=h.name, value=h.text(), after_name=after_name, after_id=after_id, organization=h.organization, on=on),
            holdings=[holding_id], people=[h.holding.person_id, after_id],
            notices=[h.start_notice_id] if h.start_notice_id is not None else [],
        ))
    return findings


def _probation_mismatches(session: Session, known_at) -> list[Finding]:
    # Streamed: every appointment is read once, and only those that disagree are kept.  A holding
    # with no probation from an appointment that gives none agrees, and is not read at all.
    rows = streamed(session, (
        select(Holding.id, Holding.probation_until, Action.probation_months, NoticeVersion.date, Notice.number)
        .join(Action, Holding.start_action_id == Action.id)
        .join(NoticeVersion, Action.version_id == NoticeVersion.id)
        .join(Notice, NoticeVersion.notice_id == Notice.id)
        # An inferred holding starts with someone else's appointment: its probation is not theirs.
        .where(known(known_at), Holding.inferred.is_(False),
               or_(Holding.probation_until.is_not(None), Action.probation_months.is_not(None)))
        .order_by(Holding.id)
    ))
    expected_on: dict[tuple[date, int | None], date | None] = {}
    mismatched = []
    for holding_id, until, months, on, number in rows:
        key = (on, months)
        if key not in expected_on:
            expected_on[key] = probation_until(on, months)
        if until != expected_on[key]:
            mismatched.append((holding_id, until, months, on, number, expected_on[key]))
    held = _describe(session, known_at, [row[0] for row in mismatched])
    findings = []
    for holding_id, until, months, on, number, expected in mismatched:
        if holding_id not in held:
            continue
        h = held[holding_id]
        said = _("a probation of {months} months from {on}, to {expected}").format(months=months, on=on.isoformat(), expected=expected.isoformat()) if months \
            else _("no probation")
        findings.append(Finding(
            "probation_mismatch",
            _("{name}: {value} has probation until {value2}, but {number} gives {said}").format(name=h.name, value=h.text(), value2=iso(until) or 'none', number=number, said=said),
            holdings=[holding_id], people=[h.holding.person_id], notices=[h.start_notice_id],
        ))
    return findings


class _Evidence(NamedTuple):
    """A holding as the namesake and head-post findings read it."""

    id: int
    person_id: int
    name: str
    organization: str
    title: str
    until: date | None
    known_start: date | None  # where the evidence begins: the start, else the notice that revealed it
    start_notice_id: int | None
    end_notice_id: int | None


def _evidence_overlap(a: _Evidence, b: _Evidence) -> bool:
    """Whether the evidence shows both held at once.

    The evidence for a holding runs from its start, or from the notice that revealed
    it when the start is not on record, to its end; a holding known only from its
    removal has no extent.  This is what the record proves, not the held_on test.
    """
    return share_a_date(Span(a.known_start, a.until), Span(b.known_start, b.until))


def _possible_same_person(session: Session, known_at) -> Iterator[Finding]:
    separated = {
        frozenset((e.person_id, e.other_person_id))
        for e in session.scalars(select(PersonEvent).where(PersonEvent.kind == "split", event_in_force(known_at)))
    }
    # Every holding, a name at a time, in the order of the findings (names by code point): one pass
    # that holds one name's people at a time.  Asking only for the names several people share cost
    # SQLite more than reading the others.
    rows = streamed(session, (
        _description(known_at, evidence=True)
        .order_by(_by_code_point(Person.name, session), Holding.person_id, Holding.id)
    ))
    group: list[_Evidence] = []
    for row in rows:
        if group and row[2] != group[0].name:
            yield from _namesakes(group, separated)
            group = []
        group.append(_Evidence(*row[:9]))
    if group:
        yield from _namesakes(group, separated)


def _by_code_point(column, session: Session):
    """``column`` to order by code point, as Python orders strings, on either backend: SQLite
    compares UTF-8 bytes, which is that order; a PostgreSQL database's collation orders Chinese its
    own way, and "C" compares bytes."""
    return column.collate("C") if session.get_bind().dialect.name == "postgresql" else column


def _namesakes(group: list[_Evidence], separated: set) -> list[Finding]:
    """The possible-same-person findings among the holdings of people of one name, in (p, q) order."""
    by_person: dict[int, list[_Evidence]] = {}
    for h in group:
        by_person.setdefault(h.person_id, []).append(h)
    if len(by_person) < 2:
        return []
    found = []
    for name, p, q in _namesake_pairs(by_person):
        if frozenset((p, q)) in separated:
            continue  # a clerk split them: they are two
        mine, theirs = by_person[p], by_person[q]
        if any(_evidence_overlap(a, b) for a in mine for b in theirs):
            continue
        reasons, involved, notice_ids = [], set(), set()
        shared = sorted({a.organization for a in mine} & {b.organization for b in theirs})
        for org in shared:
            reasons.append(_("both held posts in {org} at different times").format(org=org))
            involved |= {h.id for h in mine + theirs if h.organization == org}
        # A notice implies a sequence when one record ends with a removal on the
        # day the other's record begins (appointed, or first named, that day).
        for first, second in ((mine, theirs), (theirs, mine)):
            begins = min(b.known_start for b in second)
            for a in first:
                if a.end_notice_id is not None and a.until == begins:
                    for b in (b for b in second if b.known_start == begins):
                        reasons.append(
                            _("person {person_id} left {organization}{title} on {until} and person {person_id2} appears "
                              "as {organization2}{title2} that day").format(
                                person_id=a.person_id, organization=a.organization, title=a.title,
                                until=a.until.isoformat(), person_id2=b.person_id,
                                organization2=b.organization, title2=b.title)
                        )
                        involved |= {a.id, b.id}
                        notice_ids |= {a.end_notice_id, b.start_notice_id} - {None}
        if reasons:
            found.append(Finding(
                "possible_same_person",
                _("{name} (people {p} and {q}) may be one person: {items}").format(name=name, p=p, q=q, items="; ".join(reasons)),
                holdings=sorted(involved), people=[p, q], notices=sorted(notice_ids),
            ))
    return found


def _namesake_pairs(by_person: dict[int, list[_Evidence]]) -> list[tuple[str, int, int]]:
    """(name, p, q), p < q, for the two people of one name that may be one person: those that
    held posts in one organization, or where one's holding ends on the day the other's record
    begins.  Any other pair of namesakes gives no reason, so it is never compared: found
    through dictionaries, not by trying every pair of a common name.  In (name, p, q) order."""
    pairs: set[tuple[str, int, int]] = set()
    by_org: dict[tuple[str, str], set[int]] = {}
    begins: dict[tuple[str, date], set[int]] = {}
    for person, holdings in by_person.items():
        name = holdings[0].name
        for h in holdings:
            by_org.setdefault((name, h.organization), set()).add(person)
        starts = [h.known_start for h in holdings]
        if None not in starts:  # (a start pointing at a missing row: dangling_reference reports it)
            begins.setdefault((name, min(starts)), set()).add(person)
    for (name, _org), people in by_org.items():
        ordered = sorted(people)
        pairs.update((name, p, q) for i, p in enumerate(ordered) for q in ordered[i + 1:])
    for person, holdings in by_person.items():
        name = holdings[0].name
        for a in holdings:
            if a.end_notice_id is not None and a.until is not None:
                for other in begins.get((name, a.until), ()):
                    if other != person:
                        pairs.add((name, min(person, other), max(person, other)))
    return sorted(pairs)


def _roster_conflicts(session: Session, known_at) -> list[Finding]:
    """Rows of a starting roster that contradict the registry on the roster's date."""
    from .exchange.roster_import import all_conflicts

    return [Finding("roster_conflict", message) for _number, message in all_conflicts(session, known_at)]


def _several_heads(session: Session, known_at) -> Iterator[Finding]:
    """A head post (局长, 主任 …) with two holders at once, neither acting nor concurrent.

    Like possible_same_person, this compares evidence extents (a holding known
    only from its removal proves no time in the post), not the held_on test.
    One self-join of the head posts' holdings on the post, in the order of each post's first
    holding, then of the two holdings.
    """
    heads = _description(known_at, evidence=True) \
        .where(Post.title.in_(HEAD_TITLES), not_(Holding.acting), not_(Holding.concurrent)).cte("heads")
    a, b = heads.alias("a"), heads.alias("b")
    first = select(heads.c.post_id, func.min(heads.c.id).label("first")).group_by(heads.c.post_id).subquery("first")
    ac, bc = list(a.c), list(b.c)  # the columns of _Evidence, then post, acting, concurrent
    rows = streamed(session, (
        # Only what a finding says: the post's name once, each holding's id, person and evidence start.
        select(ac[0], ac[1], ac[2], ac[3], ac[4], ac[6], ac[7], bc[0], bc[1], bc[2], bc[6], bc[7])
        .join(b, and_(b.c.post_id == a.c.post_id, b.c.id > a.c.id))
        .join(first, first.c.post_id == a.c.post_id)
        .where(a.c.person_id != b.c.person_id,
               spans_share_a_date(a.c.known_start, a.c.until, b.c.known_start, b.c.until))
        .order_by(first.c.first, a.c.id, b.c.id)
    ))
    message = _("{organization}{title} has two holders on {on}, neither acting nor concurrent: {name} "
                "(person {person_id}) and {name2} (person {person_id2})")
    for first_id, person, name, organization, title, start, notice, second_id, person2, name2, start2, notice2 in rows:
        yield Finding(
            "several_heads",
            message.format(organization=organization, title=title, on=max(start, start2).isoformat(), name=name,
                           person_id=person, name2=name2, person_id2=person2),
            holdings=[first_id, second_id],
            people=[person, person2] if person < person2 else [person2, person],  # two people (the join says so)
            notices=sorted({notice, notice2} - {None}),
        )


def _series_gaps(session: Session, known_at) -> list[Finding]:
    """The numbers missing inside each series and year of the notices on record at ``known_at``
    (as ``queries.notices`` lists them), with the notices on either side of each gap: one pass
    over the notices in number order, each beside the one before it in its series and year."""
    window = {"partition_by": (Notice.series, Notice.year), "order_by": Notice.seq}
    numbered = (
        select(Notice.id, Notice.number, Notice.series, Notice.year, Notice.seq,
               func.lag(Notice.seq).over(**window).label("prev_seq"),
               func.lag(Notice.number).over(**window).label("prev_number"),
               func.lag(Notice.id).over(**window).label("prev_id"))
        .where(exists(select(NoticeVersion.id).where(NoticeVersion.notice_id == Notice.id,
                                                      recorded_by(NoticeVersion.recorded_at, known_at))))
        .subquery("numbered")
    )
    rows = session.execute(
        select(numbered).where(numbered.c.seq > numbered.c.prev_seq + 1)
        .order_by(numbered.c.series, numbered.c.year, numbered.c.seq)
    ).all()
    findings = []
    for row in rows:
        for seq in range(row.prev_seq + 1, row.seq):
            findings.append(Finding(
                "series_gap",
                _("{number} is not on record, between {number2} and {number3}").format(number=f"{row.series}〔{row.year}〕{seq}号", number2=row.prev_number, number3=row.number),
                notices=[row.prev_id, row.id],
            ))
    return findings


_SINGULAR = {
    "organizations": N_("organization"), "org_aliases": N_("alias"), "posts": N_("post"), "people": N_("person"),
    "notices": N_("notice"), "notice_versions": N_("notice version"), "actions": N_("action"), "person_events": N_("person event"),
    "person_event_actions": N_("split link"), "holdings": N_("holding"),
}


def _row_name(table, row) -> str:
    key = "/".join(str(getattr(row, column.name)) for column in table.primary_key.columns)
    return _("{table} {key}").format(table=_(_SINGULAR.get(table.name, table.name)), key=key)


def _ids(table, row, holdings=(), notices=()) -> dict:
    """The ids a finding about ``row`` of ``table`` names."""
    if table.name == "holdings":
        holdings = [row.id]
    elif table.name == "notice_versions":
        notices = [row.notice_id]
    elif table.name == "notices":
        notices = [row.id]
    return {"holdings": list(holdings), "notices": list(notices)}


def _dangling_references(session: Session) -> list[Finding]:
    """Every foreign key whose row is missing (possible only where the rules were bypassed)."""
    findings = []
    for table in Base.metadata.sorted_tables:
        for key in sorted(table.foreign_keys, key=lambda k: k.parent.name):
            column, target = key.parent, key.column
            rows = session.execute(
                select(table)
                .where(column.is_not(None), not_(exists(select(target).where(target == column))))
                .order_by(*table.primary_key.columns)
            ).all()
            for row in rows:
                findings.append(Finding(
                    "dangling_reference",
                    _("{row} refers to {table} {id} ({column}), which does not exist").format(
                        row=_row_name(table, row), table=_(_SINGULAR.get(target.table.name, target.table.name)),
                        id=getattr(row, column.name), column=column.name),
                    **_ids(table, row),
                ))
    return findings


def _unknown_values(session: Session) -> list[Finding]:
    findings = []
    for column, allowed in ((Action.kind, ACTION_KINDS), (Action.end_reason, END_REASONS),
                            (Holding.end_reason, END_REASONS), (NoticeVersion.supersede_kind, SUPERSEDE_KINDS),
                            (PersonEvent.kind, EVENT_KINDS), (PersonEventAction.role, EVENT_ROLES)):
        table = column.table
        rows = session.execute(
            select(table).where(column.is_not(None), column.not_in(allowed)).order_by(*table.primary_key.columns)
        ).all()
        for row in rows:
            findings.append(Finding(
                "unknown_value",
                _("{row_name} has {key} {getattr!r}, which is not one of {items}").format(row_name=_row_name(table, row), key=column.key, getattr=getattr(row, column.key), items=', '.join(allowed)),
                **_ids(table, row),
            ))
    return findings


def _several_active_versions(session: Session) -> list[Finding]:
    rows = session.execute(
        select(NoticeVersion.notice_id, Notice.number, func.count(NoticeVersion.id))
        .outerjoin(Notice, NoticeVersion.notice_id == Notice.id)
        .where(NoticeVersion.superseded_at.is_(None))
        .group_by(NoticeVersion.notice_id, Notice.number).having(func.count(NoticeVersion.id) > 1)
        .order_by(NoticeVersion.notice_id)
    ).all()
    return [
        Finding("several_active_versions",
                _("{value} has {count} active versions; a notice has at most one").format(value=number or _("notice {id}").format(id=notice_id), count=count),
                notices=[notice_id])
        for notice_id, number, count in rows
    ]


def _text_changes(session: Session) -> list[Finding]:
    """Every stored text whose hash no longer matches: the text was changed after it was recorded."""
    findings = []
    # Streamed: a batch of texts at a time, never every text at once.
    for version in streamed(session, (
        select(NoticeVersion.id, NoticeVersion.notice_id, NoticeVersion.version, NoticeVersion.text,
               NoticeVersion.content_hash, Notice.number)
        .outerjoin(Notice, NoticeVersion.notice_id == Notice.id).order_by(NoticeVersion.id)
    )):
        if content_hash(version.text or "") != version.content_hash:
            findings.append(Finding(
                "text_changed",
                _("the stored text of {value} (version {version}) does not match the hash it was recorded "
                   "with: it was changed after recording").format(value=version.number or _("notice {id}").format(id=version.notice_id), version=version.version),
                notices=[version.notice_id],
            ))
    return findings


def _known_before_recorded(session: Session) -> list[Finding]:
    ids = session.scalars(
        select(Holding.id).where(Holding.known_until.is_not(None), Holding.known_until <= Holding.known_from)
        .order_by(Holding.id)
    ).all()
    return [Finding("known_before_recorded",
                    _("holding {i} is known until a time not after it was known from (recorded time went back)").format(i=i),
                    holdings=[i])
            for i in ids]


def check(session: Session, known_at: datetime | None = None) -> dict:
    """The integrity report: {"errors": [...], "warnings": [...]}, each finding with its code, message and ids.

    ``ids`` is always {"holdings": [...], "people": [...], "notices": [...]}: the
    holding, person and notice ids (integers) the finding is about, [] for none.
    """
    answer: dict[str, list] = {"errors": [], "warnings": []}
    for level, finding in check_findings(session, known_at):
        answer[level + "s"].append(finding)
    return answer


def check_findings(session: Session, known_at: datetime | None = None) -> Iterator[tuple[str, dict]]:
    """The findings of ``check``, one at a time as they are found: ("error" | "warning", its JSON), every
    error before the first warning, each list in the order of ``check``'s answer.  What prints the
    report as it goes (``check --format json``) holds no finding."""
    empty = _end_before_start(session, known_at)
    errors = (
        lambda: _text_changes(session),
        lambda: _dangling_references(session),
        lambda: _unknown_values(session),
        lambda: _several_active_versions(session),
        lambda: _known_before_recorded(session),
        lambda: _overlaps(session, known_at, {f.holdings[0] for f in empty}),
        lambda: empty,
        lambda: _probation_mismatches(session, known_at),
        lambda: _references_outside(session, known_at),
    )
    warnings = (
        lambda: _possible_same_person(session, known_at),
        lambda: _series_gaps(session, known_at),
        lambda: _several_heads(session, known_at),
        lambda: _roster_conflicts(session, known_at),
    )
    for level, codes, detectors in (("error", ERROR_CODES, errors), ("warning", WARNING_CODES, warnings)):
        for detect in detectors:
            for finding in detect():
                if finding.code in codes:
                    yield level, finding.as_dict()
