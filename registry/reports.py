"""The reports the office asks for after the roster: changes, probations, vacancies, integrity.

Each report is a plain function over a Session returning a dict in the shape
of its JSON output.  Every "held on D" and "known at T" test on holdings goes
through ``queries.held_on``, ``queries.known`` and ``queries.in_force``; a
holding held on D is one with since <= D < until, NULL being open.  Two
comparisons here are not holding tests and say so where they are made: a
closed period of notice dates (``changes``), and the evidence extent of a
holding when telling whether two namesakes could be one person (``check``).

``changes`` reads the actions of the notice versions in force at the recorded
time (the source), so it lists what the notices say, in canonical order, with
the people as merges and splits in force identify them.  An appointment
ranked 列X之后 is a re-ranking: it is one "appoint" row whose ``ranked_after``
names X.  A holder the registry knows only from such a reference (an inferred
holding) appears once, as a "referenced" row just before the appointment
that names them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, exists, func, not_, or_, select, true
from sqlalchemy.orm import Session, aliased

from .derive import canonical_order, person_map, visible_events, visible_versions
from .models import (Action, Holding, Notice, NoticeVersion, Organization, Person, PersonEvent, Post, RosterImport,
                     RosterRow, utcnow)
from .orgs import lookup_org, title_class
from .queries import held_on, holding_rows, iso, known, notices

# -- changes ---------------------------------------------------------------------


def _period(column, start: date | None, end: date | None):
    """Notice dates in the closed period [start, end]; a missing bound is open.

    Notice dates are points, not holdings, so this is not the held_on test.
    """
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column <= end)
    return and_(true(), *conditions)


def _probation_until(on: date, months: int | None) -> date | None:
    return on + relativedelta(months=months) if months else None


def changes(session: Session, org_name: str | None = None, start: date | None = None, end: date | None = None,
            known_at: datetime | None = None) -> dict:
    """Every appointment, removal and re-ranking with a notice date in [start, end], in canonical order."""
    at = known_at or utcnow()
    org = lookup_org(session, org_name) if org_name is not None else None
    people = person_map(session, at)
    query = (
        select(Action, NoticeVersion.date, Notice.number, Organization.name)
        .join(NoticeVersion, Action.version_id == NoticeVersion.id)
        .join(Notice, NoticeVersion.notice_id == Notice.id)
        .join(Organization, Action.org_id == Organization.id)
        .where(visible_versions(at), _period(NoticeVersion.date, start, end))
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
            "action": action.kind,
            "name": action.name,
            "person_id": people.subject(action),
            "organization": org_full,
            "title": action.title,
            "concurrent": action.concurrent,
            "acting": action.acting,
            "probation_until": iso(_probation_until(on, action.probation_months)) if appoint else None,
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
    # The probation period runs to probation_until (exclusive): it still covers ``on``.
    rows = holding_rows(session, Holding.probation_until.is_not(None), Holding.probation_until > on,
                        known_at=known_at, columns=[held_on(on).label("held")])
    soon = on + timedelta(days=ending_within) if ending_within is not None else None
    items = []
    for row in rows:
        h, held = row.Holding, row.held
        if held:
            status = "ending_soon" if soon is not None and h.probation_until <= soon else "in_force"
        elif h.until is not None and h.until <= on:  # ended before ``on`` (half-open: not held on ``until``)
            status = "terminated" if h.end_reason == "probation_terminated" else "ended_early"
        else:
            continue  # starts after ``on``
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
        earlier = [row for row in holdings if row.Holding.until is not None and row.Holding.until <= as_of]
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
ERROR_CODES = ("overlapping_holdings", "end_before_start", "probation_mismatch", "reference_outside_org")
WARNING_CODES = ("possible_same_person", "series_gap", "roster_conflict")


@dataclass
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


@dataclass
class _Described:
    """A holding with what a message needs to name it."""

    holding: Holding
    name: str
    organization: str
    title: str
    start_date: date  # the date of the notice whose action started the record (or of its roster)
    start_notice_id: int | None  # None for a holding a starting roster started
    end_notice_id: int | None

    def text(self) -> str:
        since = self.holding.since.isoformat() if self.holding.since else "start not on record"
        until = self.holding.until.isoformat() if self.holding.until else "still holds"
        return f"{self.organization}{self.title} [{since}, {until}) (holding {self.holding.id})"

    @property
    def known_start(self) -> date:
        """Where the evidence for the holding begins: its start, else the notice that revealed it."""
        return self.holding.since if self.holding.since is not None else self.start_date


def _described(session: Session, known_at: datetime | None) -> dict[int, _Described]:
    start, start_version = aliased(Action), aliased(NoticeVersion)
    end, end_version = aliased(Action), aliased(NoticeVersion)
    rows = session.execute(
        select(Holding, Person.name, Organization.name, Post.title,
               func.coalesce(start_version.date, RosterImport.as_of), start_version.notice_id, end_version.notice_id)
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
        .order_by(Holding.id)
    ).all()
    return {row[0].id: _Described(*row) for row in rows}


def _end_before_start(session: Session, known_at, held: dict[int, _Described]) -> list[Finding]:
    # A holding that is not held on its own first day ends on or before it.
    ids = session.scalars(
        select(Holding.id).where(known(known_at), Holding.since.is_not(None), not_(held_on(Holding.since)))
        .order_by(Holding.id)
    ).all()
    return [
        Finding("end_before_start", f"{held[i].name}: {held[i].text()} ends on or before the day it starts",
                holdings=[i], people=[held[i].holding.person_id])
        for i in ids
    ]


def _overlaps(session: Session, known_at, held: dict[int, _Described], empty: set[int]) -> list[Finding]:
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
    findings = []
    for first, second in pairs:
        if first in empty or second in empty:
            continue  # an empty holding overlaps nothing; end_before_start reports it
        a, b = held[first], held[second]
        findings.append(Finding(
            "overlapping_holdings",
            f"{a.name} (person {a.holding.person_id}) holds {a.organization}{a.title} twice at once: "
            f"{a.text()} and {b.text()}",
            holdings=sorted([first, second]), people=[a.holding.person_id],
        ))
    return findings


def _references_outside(session: Session, known_at, held: dict[int, _Described]) -> list[Finding]:
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
    findings = []
    for holding_id, after_id, after_name in rows:
        h = held[holding_id]
        on = h.holding.since.isoformat() if h.holding.since else "its start"
        findings.append(Finding(
            "reference_outside_org",
            f"{h.name}: {h.text()} is ranked after {after_name} (person {after_id}), "
            f"who holds nothing in {h.organization} on {on}",
            holdings=[holding_id], people=[h.holding.person_id, after_id],
            notices=[h.start_notice_id] if h.start_notice_id is not None else [],
        ))
    return findings


def _probation_mismatches(session: Session, known_at, held: dict[int, _Described]) -> list[Finding]:
    rows = session.execute(
        select(Holding.id, Holding.probation_until, Action.probation_months, NoticeVersion.date, Notice.number)
        .join(Action, Holding.start_action_id == Action.id)
        .join(NoticeVersion, Action.version_id == NoticeVersion.id)
        .join(Notice, NoticeVersion.notice_id == Notice.id)
        # An inferred holding starts with someone else's appointment: its probation is not theirs.
        .where(known(known_at), Holding.inferred.is_(False))
        .order_by(Holding.id)
    ).all()
    findings = []
    for holding_id, until, months, on, number in rows:
        expected = _probation_until(on, months)
        if until == expected:
            continue
        h = held[holding_id]
        said = f"a probation of {months} months from {on.isoformat()}, to {expected.isoformat()}" if months \
            else "no probation"
        findings.append(Finding(
            "probation_mismatch",
            f"{h.name}: {h.text()} has probation until {iso(until) or 'none'}, but {number} gives {said}",
            holdings=[holding_id], people=[h.holding.person_id], notices=[h.start_notice_id],
        ))
    return findings


def _evidence_overlap(a: _Described, b: _Described) -> bool:
    """Whether the evidence shows both held at once.

    The evidence for a holding runs from its start, or from the notice that revealed
    it when the start is not on record, to its end; a holding known only from its
    removal has no extent.  This is what the record proves, not the held_on test.
    """
    a_end, b_end = a.holding.until or date.max, b.holding.until or date.max
    return a.known_start < b_end and b.known_start < a_end


def _possible_same_person(session: Session, known_at, held: dict[int, _Described]) -> list[Finding]:
    at = known_at or utcnow()
    separated = {
        frozenset((e.person_id, e.other_person_id))
        for e in session.scalars(select(PersonEvent).where(PersonEvent.kind == "split", visible_events(at)))
    }
    by_person: dict[int, list[_Described]] = {}
    for h in held.values():
        by_person.setdefault(h.holding.person_id, []).append(h)
    by_name: dict[str, list[int]] = {}
    for person_id, holdings in sorted(by_person.items()):
        by_name.setdefault(holdings[0].name, []).append(person_id)

    findings = []
    for name, people in sorted(by_name.items()):
        for i, p in enumerate(people):
            for q in people[i + 1:]:
                if frozenset((p, q)) in separated:
                    continue  # a clerk split them: they are two
                mine, theirs = by_person[p], by_person[q]
                if any(_evidence_overlap(a, b) for a in mine for b in theirs):
                    continue
                reasons, involved, notice_ids = [], set(), set()
                shared = sorted({a.organization for a in mine} & {b.organization for b in theirs})
                for org in shared:
                    reasons.append(f"both held posts in {org} at different times")
                    involved |= {h.holding.id for h in mine + theirs if h.organization == org}
                # A notice implies a sequence when one record ends with a removal on the
                # day the other's record begins (appointed, or first named, that day).
                for first, second in ((mine, theirs), (theirs, mine)):
                    begins = min(b.known_start for b in second)
                    for a in first:
                        if a.end_notice_id is not None and a.holding.until == begins:
                            for b in (b for b in second if b.known_start == begins):
                                reasons.append(
                                    f"person {a.holding.person_id} left {a.organization}{a.title} on "
                                    f"{a.holding.until.isoformat()} and person {b.holding.person_id} appears as "
                                    f"{b.organization}{b.title} that day"
                                )
                                involved |= {a.holding.id, b.holding.id}
                                notice_ids |= {a.end_notice_id, b.start_notice_id} - {None}
                if reasons:
                    findings.append(Finding(
                        "possible_same_person",
                        f"{name} (people {p} and {q}) may be one person: {'; '.join(reasons)}",
                        holdings=sorted(involved), people=[p, q], notices=sorted(notice_ids),
                    ))
    return findings


def _roster_conflicts(session: Session, known_at) -> list[Finding]:
    """Rows of a starting roster that contradict the registry on the roster's date."""
    from .exchange.roster_import import all_conflicts

    return [Finding("roster_conflict", message) for _, message in all_conflicts(session, known_at)]


def _series_gaps(session: Session, known_at) -> list[Finding]:
    """The numbers ``queries.notices`` finds missing, with the notices on either side of each gap."""
    listing = notices(session, known_at=known_at)
    shown = {entry["number"] for entry in listing["notices"]}
    series: dict[tuple[str, int], list[Notice]] = {}
    for notice in session.scalars(select(Notice).order_by(Notice.seq)):
        if notice.number in shown:
            series.setdefault((notice.series, notice.year), []).append(notice)
    findings = []
    for number in listing["missing"]:
        for (name, year), present in series.items():
            prefix = f"{name}〔{year}〕"
            if number.startswith(prefix):
                seq = int(number[len(prefix):-1])
                before = [n for n in present if n.seq < seq][-1:]
                after = [n for n in present if n.seq > seq][:1]
                findings.append(Finding(
                    "series_gap",
                    f"{number} is not on record, between {before[0].number} and {after[0].number}",
                    notices=[n.id for n in before + after],
                ))
    return findings


def check(session: Session, known_at: datetime | None = None) -> dict:
    """The integrity report: {"errors": [...], "warnings": [...]}, each finding with its code, message and ids.

    ``ids`` is always {"holdings": [...], "people": [...], "notices": [...]}: the
    holding, person and notice ids (integers) the finding is about, [] for none.
    """
    held = _described(session, known_at)
    empty = _end_before_start(session, known_at, held)
    findings = (
        _overlaps(session, known_at, held, {f.holdings[0] for f in empty})
        + empty
        + _probation_mismatches(session, known_at, held)
        + _references_outside(session, known_at, held)
        + _possible_same_person(session, known_at, held)
        + _series_gaps(session, known_at)
        + _roster_conflicts(session, known_at)
    )
    return {
        "errors": [f.as_dict() for f in findings if f.code in ERROR_CODES],
        "warnings": [f.as_dict() for f in findings if f.code in WARNING_CODES],
    }
