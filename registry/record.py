"""Recording notices: intake, retraction and amendment, each in one transaction.

Names resolve through their context, never by name alone:

- a removal names the person of that name known to hold that post on that date;
- a ranking reference (列X之后) names an appointee earlier in the same notice,
  or the person of that name known to hold a post in that organization on that
  date, or the holder whose record there begins later and is not known to
  start (a back-filled reference joins the record it starts);
- an appointment followed by 免去其… names the person known to hold the post
  it removes; otherwise an appointment names the holder of that post whose
  start is not on record and whose record begins later (a back-filled
  appointment joins the record it starts);
- otherwise an appointment names the one person of that name known to hold a
  post in the same organization on that date (同单位在任): a 副局长 made 总工程师,
  a 局长 made 党组书记, an acting head appointed in earnest; a person of that
  name elsewhere does not count;
- otherwise the name is a new person.  ``--person NAME=new`` forces a new person.

"Known to hold" is judged as if the notices had arrived in date order: a
holding counts when the notice that revealed it (its appointment, or the
removal or reference that revealed an unknown start) comes before this notice
in canonical order (date, then number), and the notice that ended it, if any,
comes after.  A back-filled notice joins instead the record that, in date
order, would have been built on it: the earliest later-revealed holding with
no known start, of the same post or inferred from a reference.  That keeps
resolution the same whatever order the notices arrive in.  The resolution is
stored on each action as the clerk saw it in the preview; ``links``
(``--person NAME=ID``) override it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, NamedTuple

from sqlalchemy import Date, and_, bindparam, exists, func, insert, or_, select
from sqlalchemy.orm import Session, aliased

from . import derive, limits
from .errors import NoticeError, NotFound, RegistryError
from .models import (
    Action, Holding, Notice, NoticeVersion, Organization, Person, PersonEvent, PersonEventAction, Post,
    RosterImport, RosterRow,
)
from .orgs import OrgRow, choose_org_rows, create_org, find_org_rows, org_lexicon
from .parse import ParsedAction, ParsedNotice, parse_notice
from .inputs import normalize_number
from .text import check_size, content_hash, decode
from .timerules import clock, current, held_on, notice_key
from .i18n import _

if TYPE_CHECKING:
    from . import intake


NEW = "new"  # --person NAME=new: the name is a new person, whoever holds posts under it


def today() -> date:
    """The machine's date; a notice dated after it is refused.  Tests replace this function."""
    return date.today()


@dataclass
class PlannedAction:
    parsed: ParsedAction
    person_id: int | None  # None: a new person
    person_new: bool
    org_name: str
    org_new: bool
    org_id: int | None = None
    ranked_after_person_id: int | None = None
    ranked_after_new: bool = False
    existing_posts: list[str] = field(default_factory=list)  # what the resolved person holds, and still holds
    former_posts: list[str] = field(default_factory=list)  # held on the notice's date, ended since (时任)
    namesakes: list[int] = field(default_factory=list)  # other people of the same name on record
    how: str = ""  # why the name resolved as it did


@dataclass
class Outcome:
    status: str  # "recorded" | "already recorded" | "amended"
    notice: ParsedNotice
    plan: list[PlannedAction]


def read_notice(data: bytes | str, session: Session | None = None, *, lexicon=None) -> tuple[str, ParsedNotice]:
    """A notice's text and what the parser reads in it, knowing the registry's organizations by
    every spelling (``session``'s, or a ``lexicon`` already read) if given either."""
    check_size(data)
    text = decode(data) if isinstance(data, bytes) else data
    limits.check_notice_length(text)
    if lexicon is None and session is not None:
        lexicon = org_lexicon(session)
    known = [row.spelling for row in lexicon] if lexicon is not None else ()
    return text, parse_notice(text, known_orgs=known)


def add_notice(
    session: Session,
    data: bytes | str,
    *,
    recorded_by: str = "",
    links: dict[str, int] | None = None,
    now: datetime | None = None,
    hints: dict[tuple, int] | None = None,
    origin: "intake.Origin | None" = None,
) -> Outcome:
    """Record one notice in the caller's transaction.  Raises NoticeError to refuse it.
    ``origin``: where its text came from (a file, a document in it, pages), kept on the version."""
    check_links(session, links)
    lexicon = org_lexicon(session)
    text, parsed = read_notice(data, lexicon=lexicon)
    if parsed.date > today():
        raise NoticeError(
            _("{number} is dated {date}, after today ({today}); a notice is recorded once it is issued").format(number=parsed.number, date=parsed.date.isoformat(), today=today().isoformat())
        )
    digest = content_hash(text)
    # Statements below go to the connection: plain columns and Core writes, none of the ORM
    # session's work per statement (which would first flush what is pending in it: done here).
    session.flush()
    connection = session.connection()
    notice_id = connection.scalar(_NOTICE_BY_NUMBER, {"number": parsed.number})
    notice = session.get(Notice, notice_id) if notice_id is not None else None
    if notice is not None:
        active = _active_version(session, notice)
        if active is not None and active.content_hash == digest:
            return Outcome("already recorded", parsed, [])
        if active is not None:
            raise NoticeError(
                _("{number} is already recorded with different text; use amend to correct it").format(number=parsed.number)
            )
        if hints is None:
            # A retracted number stays retracted: re-running an archive import must not
            # bring back a notice the office withdrew on purpose.
            last = session.scalars(select(NoticeVersion).where(NoticeVersion.notice_id == notice.id)
                                   .order_by(NoticeVersion.version.desc()).limit(1)).one()
            raise NoticeError(
                _("{number} was retracted on {superseded_at:%Y-%m-%d} ({supersede_reason}); a retracted "
                   "notice is not recorded again").format(number=parsed.number, superseded_at=last.superseded_at, supersede_reason=last.supersede_reason)
            )

    now = clock(session, now)
    plan, eventless = _resolve(session, parsed, links or {}, hints or {}, now, lexicon)
    # Core, a statement each: the notice, its version and its actions need no ORM objects here.
    earlier_versions = 0
    if notice is None:
        row = dict(number=parsed.number, series=parsed.series, year=parsed.year, seq=parsed.seq)
        limits.check_rows(Notice.__table__, [row])
        notice_id = connection.execute(_NEW_NOTICE, row).scalar_one()
    else:
        earlier_versions = session.scalar(select(func.max(NoticeVersion.version)).where(NoticeVersion.notice_id == notice.id))
    first_page, last_page = (origin.pages or (None, None)) if origin is not None else (None, None)
    row = dict(
        notice_id=notice_id, version=earlier_versions + 1, issuer=parsed.issuer, title=parsed.title,
        addressees=parsed.addressees, basis=parsed.basis, signer=parsed.signer, date=parsed.date,
        text=text, content_hash=digest, recorded_at=now, recorded_by=recorded_by,
        source_file=origin.file if origin is not None else None,
        source_document=origin.document if origin is not None else None,
        source_first_page=first_page, source_last_page=last_page,
    )
    limits.check_rows(NoticeVersion.__table__, [row])
    version_id = connection.execute(_NEW_VERSION, row).scalar_one()
    actions = [
        dict(version_id=version_id, seq=seq, kind=step.parsed.kind, clause=step.parsed.clause, name=step.parsed.name,
             person_id=step.person_id, org_id=step.org_id, title=step.parsed.title,
             concurrent=step.parsed.concurrent, acting=step.parsed.acting,
             probation_months=step.parsed.probation_months, secondment=step.parsed.secondment,
             ranked_after_name=step.parsed.ranked_after, ranked_after_person_id=step.ranked_after_person_id,
             end_reason=step.parsed.end_reason)
        for seq, step in enumerate(plan, start=1)
    ]
    limits.check_rows(Action.__table__, actions)
    ids = connection.execute(_NEW_ACTIONS, actions).scalars().all()
    appended = [derive.AppendedAction(**{**{key: action.get(key) for key in derive.AppendedAction._fields},
                                         "id": action_id, "date": parsed.date, "number": parsed.number})
                for action_id, action in zip(ids, actions, strict=True)]
    derive.rederive(session, {s.org_id for s in plan}, now,
                    appended=derive.Appended(version_id, parsed.date, appended), eventless=eventless)
    return Outcome("recorded", parsed, plan)


_NOTICE_BY_NUMBER = select(Notice.id).where(Notice.number == bindparam("number"))
_NEW_NOTICE = insert(Notice.__table__).returning(Notice.__table__.c.id)
_NEW_VERSION = insert(NoticeVersion.__table__).returning(NoticeVersion.__table__.c.id)
# In one statement, the ids in the order of the rows (derivation takes the actions from here).
_NEW_ACTIONS = insert(Action.__table__).returning(Action.__table__.c.id, sort_by_parameter_order=True)


def _active_version(session: Session, notice: Notice) -> NoticeVersion | None:
    return session.scalar(select(NoticeVersion).where(NoticeVersion.notice_id == notice.id,
                                                      NoticeVersion.superseded_at.is_(None)))


def actions_of(session: Session, version: NoticeVersion) -> list[Action]:
    """A version's actions in clause order, read by a query (a write path loads nothing lazily)."""
    return list(session.scalars(select(Action).where(Action.version_id == version.id).order_by(Action.seq)))


class _Resolver:
    """Resolves the names of one notice against the registry and the notice's own earlier actions."""

    def __init__(self, session: Session, parsed: ParsedNotice, links: dict[str, int], hints: dict[tuple, int],
                 now: datetime, lexicon=None):
        self.session = session
        self.lexicon = lexicon  # every organization's spellings, as read_notice read them (orgs.org_lexicon)
        self.parsed = parsed
        self.links = links
        self.hints = hints
        self.now = now
        self.on = parsed.date
        self.here = notice_key(parsed.date, parsed.series, parsed.year, parsed.seq)
        self.appointed: list[tuple[str, str, int]] = []  # (name, org, person) earlier in this notice
        self._held: dict[tuple[str, int], list[_Held]] = {}
        self._orgs: dict[str, OrgRow | None] = {}
        self._people: dict[str, list[int]] = {}  # name -> people of that name
        self._new: list[dict] = []  # the people the notice creates, not yet inserted
        # The people of the notice's names that no merge or split has ever named, new ones too:
        # derivation need not look up what became of them.
        self.eventless: set[int] = set()

    def find_org(self, name: str) -> OrgRow | None:
        """The organization a name of the notice denotes, as ``find_orgs`` found it."""
        return self._orgs[name]

    def find_orgs(self, names: Iterable[str]) -> None:
        """Find the organizations of these names: among the lexicon's rows, or in one query."""
        names = sorted(set(names) - set(self._orgs))
        if self.lexicon is not None:
            self._orgs.update(choose_org_rows(names, self.lexicon))
        else:
            self._orgs.update(find_org_rows(self.session, names))

    def forget_orgs(self) -> None:
        """After an organization is created: the lexicon no longer lists every one."""
        self._orgs.clear()
        self.lexicon = None

    def read_names(self) -> None:
        """Read, in one query, what resolving the notice's names reads: the people of each name,
        and their current holdings in the organizations the notice names (once the
        organizations exist).  Resolution reads nothing else of them: derivation runs only
        after every name of the notice is resolved, so the rows stay what they were."""
        names = sorted({a.name for a in self.parsed.actions} | {a.ranked_after for a in self.parsed.actions} - {None})
        orgs = {org.id for org in self._orgs.values() if org is not None}
        for key in {(name, org_id) for name in names for org_id in orgs}:
            self._held[key] = []
        people: dict[str, dict[int, None]] = {name: {} for name in names}  # in the order read, once each
        for row in self.session.connection().execute(_NAMES, {"names": names, "orgs": sorted(orgs)}):
            people[row.name][row.person] = None
            if not row.joined:
                self.eventless.add(row.person)
            if row.person_id is not None:
                self._held[(row.name, row.org_id)].append(_Held.of(row))
        self._people = {name: list(ids) for name, ids in people.items()}

    def _new_person(self, name: str, gender: str | None) -> int:
        """A person the notice creates, by a stand-in id (-1, -2 … in the order they are
        created) until ``insert_new_people`` inserts them all at once."""
        self._new.append({"name": name, "gender": gender, "created_at": self.now})
        stand_in = -len(self._new)
        self._people[name].append(stand_in)
        return stand_in

    def insert_new_people(self, plan: list[PlannedAction]) -> None:
        """Insert the notice's new people, in one statement and in the order they were created
        (so their ids are too), and give the plan their ids instead of the stand-ins."""
        if not self._new:
            return
        limits.check_rows(Person.__table__, self._new)
        ids = self.session.connection().execute(_NEW_PEOPLE, self._new).scalars().all()
        real = dict(zip(range(-1, -len(self._new) - 1, -1), ids, strict=True))
        self.eventless |= set(ids)
        for step in plan:
            step.person_id = real.get(step.person_id, step.person_id)
            if step.ranked_after_person_id is not None:
                step.ranked_after_person_id = real.get(step.ranked_after_person_id, step.ranked_after_person_id)
            step.namesakes = sorted(real.get(pid, pid) for pid in step.namesakes)

    def read_posts(self, plan: list[PlannedAction]) -> None:
        """What each existing person of the plan holds on the notice's date, in one query."""
        people = sorted({step.person_id for step in plan if not step.person_new})
        held: dict[int, list] = {person_id: [] for person_id in people}
        if people:
            for row in self.session.connection().execute(_POSTS_HELD, {"people": people, "on": self.on}):
                held[row.person_id].append(row)
        for step in plan:
            if not step.person_new:
                rows = held[step.person_id]
                step.existing_posts = [f"{row.org}{row.title}" for row in rows if row.until is None]
                step.former_posts = [f"{row.org}{row.title}" for row in rows if row.until is not None]

    def _namesakes(self, name: str) -> list[int]:
        """Every person of that name, the notice's new ones included, by id."""
        return sorted(self._people[name])

    def _holdings(self, name: str, org: OrgRow | None, title: str | None) -> list[_Held]:
        """Current holdings of people called ``name`` in ``org`` (of ``title`` if given)."""
        if org is None:
            return []
        return [h for h in self._held[(name, org.id)] if title is None or h.title == title]

    def _known_holders(self, name: str, org: OrgRow | None, title: str | None) -> list[_Held]:
        """Holdings of people called ``name`` that, in date order, are open at this notice."""
        return [
            h for h in self._holdings(name, org, title)
            if h.start < self.here and (h.end is None or h.end > self.here)
        ]

    def _later_unknown_start(self, name: str, org: OrgRow | None, title: str) -> list[int]:
        """The person whose record this notice would have started, had it arrived in date order.

        That record is the earliest one revealed after this notice with no known start:
        a removal from the same post, or a holding inferred from a 列X之后 reference.
        """
        found = [
            h for h in self._holdings(name, org, None)
            if h.since is None and h.start > self.here and (h.inferred or h.title == title)
        ]
        if not found:
            return []
        first = min(h.start for h in found)
        return sorted({h.person_id for h in found if h.start == first})

    def _removed_with(self, index: int) -> list[int]:
        """People known to hold what a 免去其 removal after this appointment removes."""
        people: set[int] = set()
        for removal in self.parsed.actions[index + 1:]:
            if removal.same_person_as == index and removal.kind == "remove":
                org = self.find_org(removal.org)
                people |= {h.person_id for h in self._known_holders(removal.name, org, removal.title)}
        return sorted(people)

    def resolve(self, index: int, action: ParsedAction, plan: list[PlannedAction]) -> PlannedAction:
        org = self.find_org(action.org)
        step = PlannedAction(parsed=action, person_id=None, person_new=False,
                             org_name=org.name if org else action.org, org_new=org is None,
                             org_id=org.id if org else None)
        linked = self.links.get(action.name)
        hinted = self.hints.get((action.kind, action.name, step.org_name, action.title))
        if linked == NEW:
            step.person_id, step.person_new = self._new_person(action.name, action.gender), True
            step.how = "由 --person 指定为新人员"
        elif linked is not None:
            step.person_id, step.how = linked, "由 --person 指定"
        elif action.same_person_as is not None:
            step.person_id, step.how = plan[action.same_person_as].person_id, "同句前文所指之人"
        elif hinted is not None:
            step.person_id, step.how = hinted, "沿用更正前版本的认定"
        elif action.kind == "remove":
            people = sorted({h.person_id for h in self._known_holders(action.name, org, action.title)})
            if len(people) > 1:
                raise NoticeError(_ambiguous(action.name, action.clause, people))
            if people:
                step.person_id, step.how = people[0], f"{self.on} 在任{step.org_name}{action.title}"
        else:
            holders = self._removed_with(index)
            if len(holders) > 1:
                raise NoticeError(_ambiguous(action.name, action.clause, holders))
            colleagues = [] if holders else self._same_org(action.name, org)
            if len(colleagues) > 1:
                raise NoticeError(_ambiguous(action.name, action.clause, colleagues))
            if holders:
                step.person_id, step.how = holders[0], "在任“免去其”所免职务"
            elif colleagues:
                step.person_id, step.how = colleagues[0], f"{self.on} 同单位在任（{step.org_name}）"
            else:
                candidates = self._later_unknown_start(action.name, org, action.title)
                if len(candidates) > 1:
                    raise NoticeError(_ambiguous(action.name, action.clause, candidates))
                if candidates:
                    step.person_id = candidates[0]
                    step.how = "接续此后起始未记载的同职记录"
        if step.person_id is None:
            step.person_id, step.person_new = self._new_person(action.name, action.gender), True
            step.how = "无可对应的在任者，新建"

        if action.ranked_after:
            step.ranked_after_person_id, step.ranked_after_new = self._resolve_reference(action, org, step)
        if action.kind == "appoint":
            self.appointed.append((action.name, step.org_name, step.person_id))
        step.namesakes = [pid for pid in self._namesakes(action.name) if pid != step.person_id]
        return step

    def _resolve_reference(self, action: ParsedAction, org, step: PlannedAction) -> tuple[int, bool]:
        name = action.ranked_after
        if name == action.name:
            raise NoticeError(_("the clause {clause!r} ranks {name} after themselves").format(clause=action.clause, name=name))
        linked = self.links.get(name)
        if linked == NEW:
            return self._new_person(name, None), True
        if linked is not None:
            return linked, False
        hinted = self.hints.get(("ranked_after", name, step.org_name, action.title))
        if hinted is not None:
            return hinted, False
        earlier = [p for n, o, p in self.appointed if n == name and o == step.org_name]
        if earlier:
            return earlier[-1], False
        people = sorted({h.person_id for h in self._known_holders(name, org, None)})
        if not people:
            people = self._later_unknown_start(name, org, action.title)
        if len(people) > 1:
            raise NoticeError(_ambiguous(name, action.clause, people))
        if people:
            return people[0], False
        return self._new_person(name, None), True

    def _same_org(self, name: str, org: OrgRow | None) -> list[int]:
        """People of that name known to hold a post in ``org`` on this notice's date."""
        return sorted({h.person_id for h in self._known_holders(name, org, None)})


def _ambiguous(name: str, clause: str, people: list[int]) -> str:
    return (
        _("{name} in the clause {clause!r} could be any of people {items}; choose one with --person "
           "{name}=ID").format(name=name, clause=clause, items=', '.join(map(str, people)))
    )


def check_links(session: Session, links: dict[str, int] | None) -> None:
    """Every --person NAME=ID must be an existing person of that name, whether the notice names them or not."""
    for name, person_id in (links or {}).items():
        if person_id == NEW:
            continue
        person = session.get(Person, person_id)
        if person is None:
            raise NotFound(_("no person with id {person_id} (given for {name})").format(person_id=person_id, name=name))
        if person.name != name:
            raise NoticeError(_("person {person_id} is {name}, not {name2}").format(person_id=person_id, name=person.name, name2=name))


_NEW_PEOPLE = insert(Person.__table__).returning(Person.__table__.c.id, sort_by_parameter_order=True)
# The posts some people hold on a date: those still held, and those ended since.
_POSTS_HELD = (
    select(Holding.person_id, Organization.name.label("org"), Post.title, Holding.until)
    .select_from(Holding).join(Post, Holding.post_id == Post.id)
    .join(Organization, Post.org_id == Organization.id)
    .where(Holding.person_id.in_(bindparam("people", expanding=True)), current(),
           held_on(bindparam("on", type_=Date)))
    .order_by(Holding.person_id, Holding.id)
)

# Sorts after every document number: a starting roster states the posts held at the end of its day.
_AFTER_THE_DAYS_NOTICES = "\U0010ffff"

_start, _start_version, _start_notice = aliased(Action), aliased(NoticeVersion), aliased(Notice)
_end, _end_version, _end_notice = aliased(Action), aliased(NoticeVersion), aliased(Notice)
# The people of some names, each with whether any merge or split names them, and their current
# holdings in some organizations (none: one row of NULLs), each holding with where the evidence
# for it begins and ends in canonical order: plain columns, one query.
_NAMES = (
    select(
        Person.id.label("person"), Person.name,
        or_(exists().where(PersonEvent.person_id == Person.id),
            exists().where(PersonEvent.other_person_id == Person.id)).label("joined"),
        Holding.org_id, Holding.person_id, Holding.since, Holding.inferred, Post.title,
        _start_version.date.label("start_date"), _start_notice.series.label("start_series"),
        _start_notice.year.label("start_year"), _start_notice.seq.label("start_seq"),
        RosterImport.as_of.label("roster_as_of"), RosterImport.id.label("roster_id"),
        _end.id.label("end_id"), _end_version.date.label("end_date"), _end_notice.series.label("end_series"),
        _end_notice.year.label("end_year"), _end_notice.seq.label("end_seq"),
    )
    .select_from(Person)
    .outerjoin(Holding, and_(Holding.person_id == Person.id,
                             Holding.org_id.in_(bindparam("orgs", expanding=True)), current()))
    .outerjoin(Post, Holding.post_id == Post.id)
    .outerjoin(_start, Holding.start_action_id == _start.id)
    .outerjoin(_start_version, _start.version_id == _start_version.id)
    .outerjoin(_start_notice, _start_version.notice_id == _start_notice.id)
    .outerjoin(RosterRow, Holding.start_roster_row_id == RosterRow.id)
    .outerjoin(RosterImport, RosterRow.import_id == RosterImport.id)
    .outerjoin(_end, Holding.end_action_id == _end.id)
    .outerjoin(_end_version, _end.version_id == _end_version.id)
    .outerjoin(_end_notice, _end_version.notice_id == _end_notice.id)
    .where(Person.name.in_(bindparam("names", expanding=True)))
)


@dataclass
class _Held:
    """A current holding as name resolution sees it: where its evidence begins (``start``) and
    ends (``end``, None while open) in canonical order, the notice's date then number; a
    holding a roster started sorts after the notices of the roster's date."""

    person_id: int
    since: date | None
    inferred: bool
    title: str
    start: tuple
    end: tuple | None

    @classmethod
    def of(cls, row) -> _Held:
        if row.start_date is None:
            start = (row.roster_as_of, _AFTER_THE_DAYS_NOTICES, 0, row.roster_id)
        else:
            start = notice_key(row.start_date, row.start_series, row.start_year, row.start_seq)
        end = None if row.end_id is None else notice_key(row.end_date, row.end_series, row.end_year, row.end_seq)
        return cls(row.person_id, row.since, row.inferred, row.title, start, end)


def _resolve(session: Session, parsed: ParsedNotice, links, hints, now: datetime,
             lexicon=None) -> tuple[list[PlannedAction], set[int]]:
    """The notice's plan, and the people of its names that no identity event names."""
    # Organizations first, so that a new one is created once and later clauses find it.
    resolver = _Resolver(session, parsed, links, hints, now, lexicon)
    created: set[str] = set()
    resolver.find_orgs(a.org for a in parsed.actions)
    for action in parsed.actions:
        if resolver.find_org(action.org) is None:
            created.add(create_org(session, action.org).name)
            resolver.forget_orgs()
            resolver.find_orgs(a.org for a in parsed.actions)
    resolver.read_names()
    plan: list[PlannedAction] = []
    for index, action in enumerate(parsed.actions):
        step = resolver.resolve(index, action, plan)
        step.org_new = step.org_name in created
        plan.append(step)
    resolver.insert_new_people(plan)
    resolver.read_posts(plan)
    return plan, resolver.eventless


class Retraction(NamedTuple):
    number: str
    actions: int  # the retracted version's, which no longer count


def retract(session: Session, number: str, reason: str, by: str = "", now: datetime | None = None) -> Retraction:
    notice = _notice(session, number)
    version = _active_version(session, notice)
    if version is None:
        raise NoticeError(_("{number} is already retracted").format(number=notice.number))
    now = clock(session, now)
    _supersede(version, "retracted", reason, by, now)
    session.flush()
    actions = actions_of(session, version)
    derive.rederive(session, {a.org_id for a in actions}, now)
    return Retraction(notice.number, len(actions))


def amend(session: Session, number: str, data: bytes | str, reason: str, by: str = "",
          links: dict[str, int] | None = None, now: datetime | None = None,
          origin: "intake.Origin | None" = None) -> Outcome:
    """Replace a notice's text from now on; the old version stays, marked superseded.
    ``origin``: where the corrected text came from, kept on the new version."""
    notice = _notice(session, number)
    old = _active_version(session, notice)
    if old is None:
        raise NoticeError(_("{number} is retracted; there is nothing to amend").format(number=notice.number))
    _unused, parsed = read_notice(data, session)
    if parsed.number != notice.number:
        raise NoticeError(_("the corrected text is numbered {number}, not {number2}").format(number=parsed.number, number2=notice.number))
    text = decode(data) if isinstance(data, bytes) else data
    if content_hash(text) == old.content_hash:
        raise NoticeError(_("the corrected text of {number} is the same as the recorded one").format(number=notice.number))
    # The people the old version named keep their ids where the new version names them the same way.
    hints: dict[tuple, int] = {}
    old_actions = actions_of(session, old)
    org_names = dict(session.execute(select(Organization.id, Organization.name)
                                     .where(Organization.id.in_({a.org_id for a in old_actions}))).all())
    for a in old_actions:
        org_name = org_names[a.org_id]
        hints[(a.kind, a.name, org_name, a.title)] = a.person_id
        if a.ranked_after_person_id is not None:
            hints[("ranked_after", a.ranked_after_name, org_name, a.title)] = a.ranked_after_person_id
    now = clock(session, now)
    _supersede(old, "amended", reason, by, now)
    session.flush()
    derive.rederive(session, {a.org_id for a in old_actions}, now)
    outcome = add_notice(session, text, recorded_by=by, links=links, now=now, hints=hints, origin=origin)
    outcome.status = "amended"
    new = session.scalar(select(NoticeVersion).where(NoticeVersion.notice_id == notice.id,
                                                     NoticeVersion.superseded_at.is_(None)))
    new_actions = actions_of(session, new)
    if _carry_splits(session, old_actions, new_actions):
        derive.rederive(session, {a.org_id for a in old_actions} | {a.org_id for a in new_actions}, now)
    return outcome


def _carry_splits(session: Session, old: list[Action], new: list[Action]) -> bool:
    """A split covers acts, not rows: where the corrected text restates an act a split moved
    (same verb, name, organization and title), the split covers the restated act too.

    The new actions did not exist before the amendment, so adding them to the
    split changes nothing the registry said before.
    """
    def act(action: Action, role: str) -> tuple:
        name = action.name if role == "subject" else action.ranked_after_name
        return (role, action.kind if role == "subject" else "ranked_after", name, action.org_id, action.title)

    restated: dict[tuple, list[int]] = {}
    for action in new:
        restated.setdefault(act(action, "subject"), []).append(action.id)
        if action.ranked_after_name:
            restated.setdefault(act(action, "ranked_after"), []).append(action.id)
    old_actions = {a.id: a for a in old}
    carried = False
    for event in session.scalars(select(PersonEvent).where(PersonEvent.kind == "split")):
        items = event.action_ids
        extra = list(dict.fromkeys(
            (new_id, item["role"])
            for item in items if item["action"] in old_actions
            for new_id in restated.get(act(old_actions[item["action"]], item["role"]), [])
        ))
        if extra:
            event.links.extend(PersonEventAction(action_id=action_id, role=role) for action_id, role in extra)
            carried = True
    session.flush()
    return carried


def _supersede(version: NoticeVersion, kind: str, reason: str, by: str, now: datetime) -> None:
    if not reason or not reason.strip():
        raise NoticeError(_("a reason is required"))
    version.superseded_at = now
    version.superseded_by = by
    version.supersede_kind = kind
    version.supersede_reason = reason


def _notice(session: Session, number: str) -> Notice:
    notice = session.scalar(select(Notice).where(Notice.number == normalize_number(number)))
    if notice is None:
        raise NotFound(_("no notice numbered {number}").format(number=number))
    return notice


def bundled_notice_files() -> list[Path]:
    """The notices that ship with the package.

    Installed, they are the package ``registry.notices``; run from a source
    checkout, they are ``data/notices`` beside the package.  None found is a
    broken installation, never an empty registry.
    """
    try:
        from importlib.resources import files

        # A namespace package: iterate its entries (str() of the root is not a path).
        found = [Path(str(entry)) for entry in files("registry.notices").iterdir()]
    except ModuleNotFoundError:
        found = list((Path(__file__).resolve().parent.parent / "data" / "notices").iterdir())
    notices = sorted(p for p in found if p.suffix == ".txt")
    if not notices:
        raise RegistryError(_("the bundled notices are missing from this installation of registry"))
    return notices
