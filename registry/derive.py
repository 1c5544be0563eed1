"""Actions to holdings, one organization at a time.

Holdings of an organization depend only on the actions that name it, so a
notice re-derives just the organizations it touches.  The replay is in
canonical order (notice date, then document number numerically, then clause
order), whatever order the notices arrived in, which is what lets older
notices be back-filled.

Ranking keeps one list per post of every holding ever, in rank order: a new
holder goes right after the holder named in 列X之后, or at the end.  Filtering
that list by date gives the order on that date, and a removal closes the gap
by itself.

The result is compared with the rows the registry currently shows: unchanged
rows stay, changed ones are closed (known_until) and new ones opened
(known_from).  Nothing is rewritten, so "as known at" answers come for free.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field, fields
from operator import attrgetter
from datetime import date, datetime, timedelta
from typing import Iterable, NamedTuple

from sqlalchemy import (Date, DateTime, Integer, bindparam, cast, delete, exists, func, insert, null, or_, select,
                        union_all, update)
from sqlalchemy.orm import Session

from .db import refresh_statistics
from .errors import NoticeError
from .models import (Action, Holding, Notice, NoticeVersion, Organization, Person, PersonEvent, PersonEventAction, Post,
                     RosterImport, RosterRow)
from .timerules import canonical_order, clock, event_in_force_at, probation_until, recorded_by, share_a_date, version_shown
from .timerules import current as current_rows
from .i18n import _


class PersonMap:
    """The person an action's name denotes, after the merges and splits in force.

    A merge points the absorbed record at the kept one.  A split moves the
    named (action, role) pairs to the new record.  An undone merge is simply no
    longer in force; an undone split also points its new record back at the
    source, because notices recorded while the split stood may have named the
    new record, and undoing the split says that record is the source person.
    """

    def __init__(self, events: Iterable, at: datetime | None = None):  # PersonEvent or _Event
        self.parent: dict[int, int] = {}
        self.overrides: dict[tuple[int, str], int] = {}
        for event in events:
            in_force = event_in_force_at(event, at)
            if event.kind == "merge" and in_force:
                self._join(event.other_person_id, event.person_id)
            elif event.kind == "split" and in_force:
                for item in event.action_ids:
                    self.overrides[(item["action"], item["role"])] = event.other_person_id
            elif event.kind == "split":
                self._join(event.other_person_id, event.person_id)

    def _join(self, absorbed: int, kept: int) -> None:
        absorbed, kept = self.find(absorbed), self.find(kept)
        if absorbed != kept:
            self.parent[absorbed] = kept

    def find(self, person_id: int) -> int:
        while person_id in self.parent:
            person_id = self.parent[person_id]
        return person_id

    def members(self, roots: set[int]) -> set[int]:
        """Every person id that counts as one of ``roots`` (the roots themselves included)."""
        return set(roots) | {person for person in self.parent if self.find(person) in roots}

    def overridden_actions(self) -> set[int]:
        """The actions a split in force moves to another person."""
        return {action for action, _ in self.overrides}

    def naming(self, roots: set[int]):
        """A SQL condition on actions that holds for every action naming one of ``roots`` (as
        subject or in 列X之后) under this map, and for few others: what a question about a few
        people reads instead of every action."""
        ids = self.members(roots)
        condition = or_(Action.person_id.in_(ids), Action.ranked_after_person_id.in_(ids))
        overridden = self.overridden_actions()
        return or_(condition, Action.id.in_(overridden)) if overridden else condition

    def subject(self, action: Action) -> int:
        return self.find(self.overrides.get((action.id, "subject"), action.person_id))

    def ranked_after(self, action: Action) -> int | None:
        if action.ranked_after_person_id is None:
            return None
        return self.find(self.overrides.get((action.id, "ranked_after"), action.ranked_after_person_id))


def person_map(session: Session, at: datetime | None, people: Iterable[int] | None = None) -> PersonMap:
    """Merges and splits as they stood at recorded time ``at`` (now if None; undone splits point back).

    ``people``: read only the events that bear on these ids: every event of a person joined to
    one of them by events, found a step at a time from them.  The map then gives what the whole
    one gives for ``find`` of those ids (which record each is now), since a record's place is
    set by the events of the records joined to it, in their order, and by no others.  It does
    not read which actions a split moves: it is the map for new actions only, which no split
    moves.

    The events are read as plain columns (an event as ORM object cost ten times as much).
    """
    params = {"at": at}  # (the statements for "now" have no such parameter)
    if people is None:
        events = [_Event(*row) for row in session.execute(_EVENTS if at is None else _EVENTS_AT, params)]
        by_id = {event.id: event for event in events}
        for event_id, action_id, role in session.execute(_LINKS if at is None else _LINKS_AT, params):
            by_id[event_id].action_ids.append({"action": action_id, "role": role})
        return PersonMap(events, at)
    found: dict[int, _Event] = {}
    seen = frontier = set(people)
    while frontier:
        for row in session.execute(_EVENTS_OF if at is None else _EVENTS_OF_AT, {**params, "people": sorted(frontier)}):
            found[row.id] = _Event(*row)
        joined = {person for event in found.values() for person in (event.person_id, event.other_person_id)}
        frontier = joined - seen
        seen = seen | joined
    return PersonMap(sorted(found.values(), key=lambda event: (event.recorded_at, event.id)), at)


@dataclass
class _Event:
    """A person event as the person map reads it (``PersonEvent``'s columns, its split's actions)."""

    id: int
    kind: str
    person_id: int
    other_person_id: int
    recorded_at: datetime
    undone_at: datetime | None
    action_ids: list[dict] = field(default_factory=list)


_EVENT_COLUMNS = (PersonEvent.id, PersonEvent.kind, PersonEvent.person_id, PersonEvent.other_person_id,
                  PersonEvent.recorded_at, PersonEvent.undone_at)
_RECORDED_BY_AT = recorded_by(PersonEvent.recorded_at, bindparam("at", type_=DateTime))
_EVENTS = select(*_EVENT_COLUMNS).order_by(PersonEvent.recorded_at, PersonEvent.id)
_EVENTS_AT = _EVENTS.where(_RECORDED_BY_AT)
_OF = bindparam("people", expanding=True)
_EVENTS_OF = select(*_EVENT_COLUMNS).where(or_(PersonEvent.person_id.in_(_OF), PersonEvent.other_person_id.in_(_OF)))
_EVENTS_OF_AT = _EVENTS_OF.where(_RECORDED_BY_AT)
_LINK_COLUMNS = (PersonEventAction.event_id, PersonEventAction.action_id, PersonEventAction.role)
_LINKS = select(*_LINK_COLUMNS)
_LINKS_AT = _LINKS.join(PersonEvent, PersonEventAction.event_id == PersonEvent.id).where(_RECORDED_BY_AT)


@dataclass
class Draft:
    """A holding as the replay derives it; the fields are the row's identity for diffing."""

    person_id: int
    post_id: int
    since: date | None
    until: date | None
    start_action_id: int | None
    concurrent: bool = False
    acting: bool = False
    inferred: bool = False
    probation_until: date | None = None
    secondment: str | None = None
    ranked_after_person_id: int | None = None
    position: int = 0
    end_action_id: int | None = None
    end_reason: str | None = None
    start_roster_row_id: int | None = None
    title: str = field(default="", compare=False)

    def key(self) -> tuple:
        return _row_key(self)


_KEY_FIELDS = [f.name for f in fields(Draft) if f.compare]  # in the order of Draft's fields
_row_key = attrgetter(*_KEY_FIELDS)  # a draft's or a holding row's identity, as a tuple


_ACTION_COLUMNS = (Action.id, Action.kind, Action.name, Action.person_id, Action.ranked_after_person_id,
                   Action.title, Action.concurrent, Action.acting, Action.probation_months, Action.secondment,
                   Action.end_reason)


# Built once, with bound parameters, so that each is compiled once (building a statement
# cost as much as running it).
_REPLAYED = (
    select(*_ACTION_COLUMNS, NoticeVersion.date, Notice.number)
    .join(NoticeVersion, Action.version_id == NoticeVersion.id)
    .join(Notice, NoticeVersion.notice_id == Notice.id)
    .where(Action.org_id == bindparam("org_id"), version_shown(bindparam("at", type_=DateTime)))
    .order_by(*canonical_order())
)
_POSTS = select(Post.title, Post.id).where(Post.org_id == bindparam("org_id"))
_CURRENT = (
    select(Holding.id, Holding.known_from, *(getattr(Holding, name) for name in _KEY_FIELDS))
    .where(Holding.org_id == bindparam("org_id"), current_rows())
)


class _Replay:
    """The state of one organization's replay: every holding derived so far (``drafts``), the
    ones still open by (person, title), and one ranking per title of every holding ever."""

    def __init__(self, session: Session, org_id: int, people: PersonMap, posts: dict[str, int] | None = None):
        self.session = session
        self.org_id = org_id
        self.people = people
        # title -> post id: every post of the organization, or those the caller read
        self.posts: dict[str, int] = dict(session.execute(_POSTS, {"org_id": org_id}).all()) if posts is None else posts
        self.drafts: list[Draft] = []
        self.open: dict[tuple[int, str], Draft] = {}  # (person, title) -> the holding still open
        self.ranking: dict[str, list[Draft]] = {}  # title -> every holding ever, in rank order

    def post_id(self, title: str) -> int:
        if title not in self.posts:
            post = Post(org_id=self.org_id, title=title)
            self.session.add(post)
            self.session.flush()
            self.posts[title] = post.id
        return self.posts[title]

    def held_in_org(self, person: int, title: str) -> Draft | None:
        """The person's open holding in this organization, the same title first."""
        if (person, title) in self.open:
            return self.open[(person, title)]
        return next((d for (holder, _unused), d in self.open.items() if holder == person), None)

    def roster_row(self, row: RosterRow) -> None:
        """A roster says the person holds the post on its date: a holding already open
        stays as it is; otherwise one starts, from the sheet's date or not on record."""
        person = self.people.find(row.person_id)
        if (person, row.title) in self.open:
            return
        draft = Draft(
            person_id=person, post_id=self.post_id(row.title), since=row.since, until=None, start_action_id=None,
            start_roster_row_id=row.id, concurrent=row.concurrent, acting=row.acting,
            probation_until=row.probation_until, title=row.title,
        )
        self.drafts.append(draft)
        self.open[(person, row.title)] = draft
        self.place_last(row.title, draft)

    def action(self, action) -> None:
        """One action (a row of ``_REPLAYED``), in canonical order."""
        people, open_, drafts = self.people, self.open, self.drafts
        on, number = action.date, action.number
        person = people.subject(action)
        key = (person, action.title)
        if action.kind == "appoint":
            held, confirmed = open_.get(key), None
            if held is not None and held.acting and not action.acting and held.since != on:
                # 代理转正: the acting holding ends where the substantive one starts.
                del open_[key]
                held.until, held.end_action_id, held.end_reason = on, action.id, "confirmed"
                confirmed = held
            elif held is not None:
                raise NoticeError(
                    _("{number} appoints {name} as {title} on {on}, a post they already hold").format(number=number, name=action.name, title=action.title, on=on)
                )
            draft = Draft(
                person_id=person, post_id=self.post_id(action.title), since=on, until=None,
                start_action_id=action.id, concurrent=action.concurrent, acting=action.acting,
                secondment=action.secondment, title=action.title,
                probation_until=probation_until(on, action.probation_months),
            )
            after = people.ranked_after(action)
            if after is not None:
                if after == person:
                    raise NoticeError(_("{number} ranks {name} after themselves").format(number=number, name=action.name))
                draft.ranked_after_person_id = after
                anchor = self.held_in_org(after, action.title)
                if anchor is None:
                    # Known only from the reference: the named person holds the same title,
                    # start not on record.
                    anchor = Draft(
                        person_id=after, post_id=self.post_id(action.title), since=None, until=None,
                        start_action_id=action.id, inferred=True, title=action.title,
                    )
                    drafts.append(anchor)
                    open_[(after, action.title)] = anchor
                    self.place_last(action.title, anchor)
                if anchor.title == action.title:
                    self.place_after(action.title, anchor, draft)
                else:
                    self.place_last(action.title, draft)
            elif confirmed is not None:
                self.place_after(action.title, confirmed, draft)  # the same place in the ranking
            else:
                self.place_last(action.title, draft)
            drafts.append(draft)
            open_[key] = draft
        else:
            draft = open_.pop(key, None)
            if draft is None:
                # Removed, never appointed on record: the start is not on record.
                draft = Draft(
                    person_id=person, post_id=self.post_id(action.title), since=None, until=None,
                    start_action_id=action.id, concurrent=action.concurrent, title=action.title,
                )
                drafts.append(draft)
                self.place_last(action.title, draft)
            elif draft.since == on:
                raise NoticeError(_("{number} removes {name} as {title} on the day of appointment").format(number=number, name=action.name, title=action.title))
            draft.until = on
            draft.end_action_id = action.id
            draft.end_reason = action.end_reason or "removed"

    def place_last(self, title: str, draft: Draft) -> None:
        self.ranking.setdefault(title, []).append(draft)

    def place_after(self, title: str, anchor: Draft, draft: Draft) -> None:
        order = self.ranking[title]
        order.insert(order.index(anchor) + 1, draft)

    def ranked(self) -> list[Draft]:
        """The drafts, each ranking numbered from 1."""
        for order in self.ranking.values():
            for position, draft in enumerate(order, start=1):
                draft.position = position
        return self.drafts


def replay(session: Session, org_id: int, at: datetime, people: PersonMap | None = None) -> list[Draft]:
    """Derive the holdings of one organization from the actions visible at ``at`` (``people``:
    the person map at ``at``, when the caller has it already)."""
    if people is None:
        people = person_map(session, at)
    state = _Replay(session, org_id, people)
    # Plain columns: a replay reads every action of an organization, and an ORM object each
    # cost more than the replay itself.
    rows = session.execute(_REPLAYED, {"org_id": org_id, "at": at}).all()
    rosters = session.execute(
        select(RosterRow, RosterImport.as_of)
        .join(RosterImport, RosterRow.import_id == RosterImport.id)
        .where(RosterRow.org_id == org_id, RosterImport.recorded_at <= at)
        .order_by(RosterImport.as_of, RosterImport.id, RosterRow.row_number)
    ).all()
    # A roster states the posts held on its date, after the notices of that date: it is
    # replayed after every action dated on or before it.
    pending = list(rosters)
    for action in rows:
        while pending and pending[0][1] < action.date:
            state.roster_row(pending.pop(0)[0])
        state.action(action)
    for row, _as_of in pending:
        state.roster_row(row)
    return state.ranked()


def sync(session: Session, org_id: int, drafts: list[Draft], now: datetime, current: list | None = None) -> None:
    """Close the rows that no longer hold and open the new ones; leave the rest alone.

    Recorded rows are never deleted or rewritten: a row is only ever closed
    (known_until set once).  Rows are closed before new ones are opened, so the
    table never passes through two current holdings that share a date (SQLite's
    triggers check every statement; they cannot wait for the commit).

    ``current``: the rows the drafts are to replace, when the caller read only some of the
    organization's (``extend``); by default, every row it shows.
    """
    if current is None:
        current = session.execute(_CURRENT, {"org_id": org_id}).all()
    _Changes().add(org_id, current, drafts, now).apply(session, now)


class _Changes:
    """What re-deriving some organizations changes, written with one statement per kind: the
    rows that go, those that close, then the new ones (``sync``)."""

    def __init__(self):
        self.dropped: list[int] = []
        self.closed: list[int] = []
        self.opened: list[dict] = []

    def add(self, org_id: int, current: list, drafts: list[Draft], now: datetime) -> _Changes:
        """The drafts of one organization against the rows they replace."""
        wanted: dict[tuple, list[Draft]] = {}
        for draft in drafts:
            wanted.setdefault(draft.key(), []).append(draft)
        for row in current:
            same = wanted.get(_row_key(row))
            if same:
                same.pop()
            elif row.known_from == now:
                # Opened earlier in this same transaction (an amendment derives twice at
                # one moment): it was never committed, so no one has ever been shown it,
                # and it is not recorded history.  It cannot be closed either, since it
                # would be known over an empty span (known_until = known_from).
                self.dropped.append(row.id)
            else:
                self.closed.append(row.id)
        self.opened += [{"org_id": org_id, "known_from": now, **{name: getattr(draft, name) for name in _KEY_FIELDS}}
                        for group in wanted.values() for draft in group]
        return self

    def apply(self, session: Session, now: datetime) -> None:
        # Set-based: one statement for the rows that go, one for those that close, one insert
        # for the new ones, in that order.  Posts belong to one organization, so closing every
        # organization's rows before opening any keeps each post's rows apart as well.
        connection = session.connection()
        for chunk in _chunks(self.dropped):
            connection.execute(_DROP, {"ids": chunk})
        for chunk in _chunks(self.closed):
            connection.execute(_CLOSE, {"ids": chunk, "now": now})
        if self.opened:
            connection.execute(_OPEN, self.opened)
        self.dropped, self.closed, self.opened = [], [], []

    def __len__(self) -> int:
        return len(self.dropped) + len(self.closed) + len(self.opened)


_DROP = delete(Holding).where(Holding.id.in_(bindparam("ids", expanding=True)))
_CLOSE = (update(Holding).where(Holding.id.in_(bindparam("ids", expanding=True)))
          .values(known_until=bindparam("now", type_=DateTime)))
_OPEN = insert(Holding.__table__)  # Core: the rows need no ORM objects


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def rederive(session: Session, org_ids: Iterable[int], now: datetime, *, appended: Appended | None = None,
             eventless: Iterable[int] = ()) -> None:
    """Re-derive the holdings of these organizations as the registry shows them at ``now``.

    ``appended``: the notice version just recorded, with its actions as the writer that inserted
    them hands them over, if that is what changed; ``eventless``: people the caller has read to
    be named by no merge or split.  An organization
    whose record it extends at the end takes only its actions on top of the rows it shows
    (``extend``); any other is replayed whole.  Both give the same rows.
    """
    session.flush()  # what the caller changed through the ORM, for the statements run on the connection
    acts: dict[int, list] = {}
    if appended is not None:
        for action in appended.actions:
            acts.setdefault(action.org_id, []).append(action)
    orgs = sorted(set(org_ids))
    ends = _at_the_end(session, [org_id for org_id in orgs if org_id in acts], appended, now) if acts else set()
    # Once for every organization: nothing here changes it.  When only the new actions are
    # derived, only the records they name are looked up (no split moves a new action), so only
    # the events bearing on those records are read, however many the registry holds.
    named = {a.person_id for org_id in ends for a in acts[org_id]} | \
        {a.ranked_after_person_id for org_id in ends for a in acts[org_id]} - {None}
    if ends == set(orgs) and named <= set(eventless):
        people = PersonMap([], now)  # each of them is the record it is, and no split moves a new action
    else:
        people = person_map(session, now, named if ends == set(orgs) else None)
    reads = _ExtensionReads(session, {org_id: acts[org_id] for org_id in ends}, people) if ends else None
    # The organizations derive apart and are written together, a few thousand rows at a time:
    # a notice's few at once, a rebuild's million not all in memory.
    changes = _Changes()
    for org_id in orgs:
        if org_id in ends:
            drafts, current = extend(session, org_id, acts[org_id], people, reads)
        else:
            drafts = replay(session, org_id, now, people)
            current = session.execute(_CURRENT, {"org_id": org_id}).all()
        refuse_overlaps(session, drafts)
        changes.add(org_id, current, drafts, now)
        if len(changes) >= _WRITTEN_AT_ONCE:
            changes.apply(session, now)
    changes.apply(session, now)


_WRITTEN_AT_ONCE = 2000


# An action just recorded, as derivation takes it: the columns _REPLAYED reads, with its
# organization, as the writer that inserted it knows them (the same fields, the same values).
APPENDED_COLUMNS = (*_ACTION_COLUMNS, NoticeVersion.date, Notice.number, Action.org_id)
AppendedAction = namedtuple("AppendedAction", [column.key for column in APPENDED_COLUMNS])


class Appended(NamedTuple):
    """A notice version just recorded, as derivation takes it: its id, its date and its actions
    (``AppendedAction``, in clause order)."""

    id: int
    date: date
    actions: list
# Whether anything at all is recorded on or after the version's date (a NULL row; the versions
# are found by ix_notice_versions_date), and the organizations with a roster dated from it on.
# Recorded in date order, the newest notice finds neither, for all its organizations at once.
_LATER = union_all(
    select(cast(null(), Integer).label("org_id"))
    .where(exists().where(NoticeVersion.date >= bindparam("on", type_=Date),
                          NoticeVersion.id != bindparam("version_id"),
                          version_shown(bindparam("at", type_=DateTime)))),
    select(RosterRow.org_id)
    .join(RosterImport, RosterRow.import_id == RosterImport.id)
    .where(RosterRow.org_id.in_(bindparam("orgs", expanding=True)),
           RosterImport.recorded_at <= bindparam("at", type_=DateTime),
           RosterImport.as_of >= bindparam("on", type_=Date)),
)
# Whether another version acting in the organization is dated on or after the version: the
# versions dated from it on (few, found by ix_notice_versions_date), then whether one of them
# acts here.  (Its rosters dated from it on are asked by _LATER, for all the organizations.)
_NOT_BEFORE = (
    select(NoticeVersion.id)
    .where(NoticeVersion.date >= bindparam("on", type_=Date), NoticeVersion.id != bindparam("version_id"),
           version_shown(bindparam("at", type_=DateTime)),
           exists().where(Action.version_id == NoticeVersion.id, Action.org_id == bindparam("org_id")))
    .limit(1)
)
_ROW_COLUMNS = (Holding.id, Holding.known_from, *(getattr(Holding, name) for name in _KEY_FIELDS), Post.title)
_ROW_WIDTH = len(_ROW_COLUMNS)
_ROWS = select(*_ROW_COLUMNS).join(Post, Holding.post_id == Post.id).where(current_rows())
# The rows of some people in some organizations, each row with its organization last.
_OF_PEOPLE = _ROWS.add_columns(Holding.org_id).where(Holding.org_id.in_(bindparam("orgs", expanding=True)),
                                                     Holding.person_id.in_(bindparam("people", expanding=True)))
_BELOW = _ROWS.where(Holding.post_id == bindparam("post_id"), Holding.position > bindparam("position")) \
    .order_by(Holding.position)
# Some posts of some organizations by title, each with the number of holdings ever ranked in it.
_RANKED = select(
    Post.org_id, Post.title, Post.id,
    select(func.max(Holding.position)).where(Holding.post_id == Post.id, current_rows()).scalar_subquery(),
).where(Post.org_id.in_(bindparam("orgs", expanding=True)), Post.title.in_(bindparam("titles", expanding=True)))


def _at_the_end(session: Session, org_ids: list[int], version, at: datetime) -> set[int]:
    """The organizations whose every other action and roster shown at ``at`` is dated before
    the version: a replay of one of them would take the version's actions last."""
    params = {"version_id": version.id, "at": at, "on": version.date}
    connection = session.connection()
    later = set(connection.scalars(_LATER, {**params, "orgs": org_ids}))
    ends = [org_id for org_id in org_ids if org_id not in later]
    if None in later:  # something is dated from the version on: which organizations it acts in
        ends = [org_id for org_id in ends if connection.execute(_NOT_BEFORE, {**params, "org_id": org_id}).first() is None]
    return set(ends)


class _ExtensionReads:
    """What the extensions of some organizations read, for all of them at once: the posts
    their new actions name, with the holdings ever ranked in each, and every row of the
    people the actions name (``extend``)."""

    def __init__(self, session: Session, acts: dict[int, list], people: PersonMap):
        named = {org_id: _named(actions, people) for org_id, actions in acts.items()}
        titles = {org_id: {a.title for a in actions} for org_id, actions in acts.items()}
        orgs = sorted(acts)
        self.ranked: dict[int, list] = {org_id: [] for org_id in orgs}
        connection = session.connection()
        for org_id, title, post_id, count in connection.execute(
                _RANKED, {"orgs": orgs, "titles": sorted(set().union(*titles.values()))}):
            if title in titles[org_id]:
                self.ranked[org_id].append((title, post_id, count))
        self.rows: dict[int, list] = {org_id: [] for org_id in orgs}
        for row in connection.execute(_OF_PEOPLE, {"orgs": orgs, "people": sorted(set().union(*named.values()))}):
            if row.person_id in named[row.org_id]:
                self.rows[row.org_id].append(row)


def _named(actions: list, people: PersonMap) -> set[int]:
    """The people some actions name, as subjects or in 列X之后."""
    return {people.subject(a) for a in actions} | ({people.ranked_after(a) for a in actions} - {None})


class _Extension(_Replay):
    """A replay resumed at the end of an organization's record, from the rows it shows.

    It reads only what the new actions can change (``take``): every row of the people they name
    in the organization (what they hold is what an appointment, a removal or a 列X之后 anchor
    finds, under any title, and a holding twice at once is refused from all of a person's rows),
    and, when a 列X之后 places someone after a holder, the rows ranked below that holder, who
    each move down one place.  Positions are numbers, counted on from the holdings ever ranked
    in each post; nothing else of the organization is read, however long its record.
    """

    def __init__(self, session: Session, org_id: int, people: PersonMap, ranked: list[tuple[str, int, int | None]]):
        super().__init__(session, org_id, people, posts={title: post_id for title, post_id, _ in ranked})
        self.count: dict[str, int] = {title: count for title, _, count in ranked if count}  # title -> holdings ever ranked
        self.placed: dict[str, list[Draft]] = {}  # title -> the drafts read or made
        self.rows: list = []  # the rows read, which the drafts replace

    def take(self, rows) -> None:
        taken = {row.id for row in self.rows}  # (one query's rows are distinct)
        for row in rows:
            if row.id in taken:
                continue
            self.rows.append(row)
            draft = Draft(*row[2:_ROW_WIDTH])  # _ROW_COLUMNS: id, known_from, then Draft's fields in order
            self.drafts.append(draft)
            if draft.until is None:
                self.open[(draft.person_id, draft.title)] = draft
            self.placed.setdefault(draft.title, []).append(draft)

    def place_last(self, title: str, draft: Draft) -> None:
        self.count[title] = draft.position = self.count.get(title, 0) + 1
        self.placed.setdefault(title, []).append(draft)

    def place_after(self, title: str, anchor: Draft, draft: Draft) -> None:
        self.take(self.session.connection().execute(_BELOW, {"post_id": self.posts[title], "position": anchor.position}))
        for other in self.placed[title]:
            if other.position > anchor.position:
                other.position += 1
        draft.position = anchor.position + 1
        self.count[title] += 1
        self.placed[title].append(draft)

    def ranked(self) -> list[Draft]:
        return self.drafts


def extend(session: Session, org_id: int, actions: list, people: PersonMap,
           reads: _ExtensionReads) -> tuple[list[Draft], list]:
    """The replay of an organization whose newest actions are ``actions`` (``AppendedAction``;
    ``people``: the person map in force), without replaying the rest: the rows the organization
    shows are what the replay of the rest gave.  Returns the drafts and the rows they replace,
    for ``sync``; the rows it did not read stay as they are.  ``reads``: what was read for
    this organization, with the others of the notice."""
    state = _Extension(session, org_id, people, reads.ranked[org_id])
    state.take(reads.rows[org_id])
    for action in actions:
        state.action(action)
    return state.ranked(), state.rows


def overlapping_drafts(drafts: Iterable) -> Iterable[tuple]:
    """(a, b) for every two items of one person and post that share a date; items have
    person_id, post_id, since and until (derivation drafts or holding rows)."""
    by_post: dict[tuple[int, int], list] = {}
    for item in drafts:
        by_post.setdefault((item.person_id, item.post_id), []).append(item)
    for _unused, group in sorted(by_post.items(), key=lambda entry: entry[0]):
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if share_a_date(a, b):
                    yield a, b


def refuse_overlaps(session: Session, drafts: list[Draft]) -> None:
    """Refuse a derivation that would show one person holding one post twice at once.

    That happens only when the record names one person twice for one post with
    no appointment between (removed twice, or named in a 列X之后 reference after
    being removed), so that the later holding starts on a date not on record,
    and a NULL start is open below.  What is true is that they were appointed again on a date the
    registry does not know, which a holding cannot say; so the notice is
    refused, naming both, and the clerk links it to the right person
    (--person NAME=ID) or records the missing appointment first.
    """
    for a, b in overlapping_drafts(drafts):
        person = session.get(Person, a.person_id)
        spans = sorted(_span(d) for d in (a, b))
        raise NoticeError(
            _("{name} (person {id}) would hold {title} twice at once ({spans} and {spans1}); a second "
               "holding needs an appointment between the two on record, or --person to name someone else").format(name=person.name, id=person.id, title=a.title, spans=spans[0], spans1=spans[1])
        )


def _span(draft) -> str:
    return f"{draft.since.isoformat() if draft.since else '(未记载)'}–{draft.until.isoformat() if draft.until else ''}"


def orgs_of_people(session: Session, person_ids: Iterable[int], at: Iterable[datetime] = ()) -> set[int]:
    """Organizations whose holdings may change when these people's identity changes.

    Those are the organizations of every action naming them, directly or (at
    each recorded time in ``at``) through the merges and splits then in force.
    """
    ids = set(person_ids)
    orgs = set(session.scalars(
        select(Action.org_id).where(or_(Action.person_id.in_(ids), Action.ranked_after_person_id.in_(ids)))
    ))
    orgs |= set(session.scalars(select(RosterRow.org_id).where(RosterRow.person_id.in_(ids))))
    for people in (person_map(session, moment) for moment in at):
        # Only the actions and roster rows that can name these people under the map: indexed
        # queries, not a pass over every action of the archive.
        roots = {people.find(i) for i in ids}
        actions = session.execute(
            select(Action.id, Action.org_id, Action.person_id, Action.ranked_after_person_id)
            .where(people.naming(roots))
        ).all()
        orgs |= {a.org_id for a in actions if people.subject(a) in roots or people.ranked_after(a) in roots}
        roster_rows = session.execute(
            select(RosterRow.person_id, RosterRow.org_id).where(RosterRow.person_id.in_(people.members(roots)))
        ).all()
        orgs |= {org for person, org in roster_rows if people.find(person) in roots}
    return orgs


def rebuild(session: Session, now: datetime | None = None) -> None:
    """Re-derive every holding from the notices and person events alone.

    With no holdings stored (lost, or never derived), replays the recorded
    history in recorded order, so that "as known at" answers come back as well
    as "as of" answers: every row it writes is appended.  Holdings on record
    are recorded history and stay as they are: then every organization is
    re-derived now, closing the rows that differ and opening their
    replacements, so that answers about the past stay what the registry said.
    """
    if session.scalar(select(Holding.id).limit(1)) is not None:
        now = clock(session, now)
        rederive(session, session.scalars(select(Organization.id)).all(), now)
        refresh_statistics(session)
        return
    moments: dict[datetime, set[int]] = {}
    # The organizations of every version and roster in one query each (not one per version).
    for recorded_at, superseded_at, org_id in session.execute(
        select(NoticeVersion.recorded_at, NoticeVersion.superseded_at, Action.org_id).distinct()
        .join(Action, Action.version_id == NoticeVersion.id)
    ):
        moments.setdefault(recorded_at, set()).add(org_id)
        if superseded_at is not None:
            moments.setdefault(superseded_at, set()).add(org_id)
    for recorded_at, org_id in session.execute(
        select(RosterImport.recorded_at, RosterRow.org_id).distinct()
        .join(RosterRow, RosterRow.import_id == RosterImport.id)
    ):
        moments.setdefault(recorded_at, set()).add(org_id)
    tick = timedelta(microseconds=1)
    for event in session.scalars(select(PersonEvent)):
        for moment in (event.recorded_at, event.undone_at):
            if moment is not None:
                ids = [event.person_id, event.other_person_id]
                moments.setdefault(moment, set()).update(orgs_of_people(session, ids, (moment - tick, moment)))
    for moment in sorted(moments):
        rederive(session, moments[moment], moment)
    refresh_statistics(session)
