"""People told apart and put together: listing namesakes, merge, split and undo.

A merge or a split is a clerk's decision about identity, recorded as a
PersonEvent; nothing about the notices changes.  The derivation reads the
events in force at each recorded time (``derive.person_map``), so every event
shows in "as known at" answers, survives a rebuild, and is undone by marking
it undone, never by deleting it.

- merge KEPT OTHER: the two records are one person; OTHER's actions count as
  KEPT's from then on.  Refused when the two held the same post at the same
  time, or when the names differ (a misspelt name is corrected with amend).
- split PERSON HOLDING...: the given holdings were another person's.  The
  event stores the actions behind them (the appointment and removal as
  "subject", a 列X之后 reference as "ranked_after"), because holding ids are
  derived and change with every re-derivation.
- undo EVENT: the event stops being in force from now on.  Notices recorded
  while a split stood may name the new record, so an undone split also says
  the new record is the source person again.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Iterable

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from . import derive, limits  # noqa: F401 (limits: lengths checked before every flush)
from .errors import NotFound, RegistryError
from .models import Action, Holding, Notice, NoticeVersion, Organization, Person, PersonEvent, PersonEventAction, Post
from .queries import iso
from .timerules import (
    TICK, Span, canonical_order, clock, event_undone_at, held_during, held_on, known, recorded_by, share_a_date,
    spans_share_a_date, version_shown,
)
from .i18n import _

KINDS = {"merge": "合并", "split": "拆分"}


# -- finding a person by part of a name ----------------------------------------------

# A part of a name shared by more people than this lists the first ones and says how many there are.
MATCHES_SHOWN = 50


class AmbiguousName(RegistryError):
    """Part of a name that is part of several names on record; ``matches`` are the people to choose from."""

    def __init__(self, query: str, matches: list[dict], count: int):
        self.query, self.matches, self.count = query, matches, count
        shown = _(" (the first {count} are listed)").format(count=len(matches)) if count > len(matches) else ""
        super().__init__(_("{query} is part of the names of {count} people on record{shown}; give the whole name or a "
                            "person id").format(query=query, count=count, shown=shown))

    def answer(self) -> dict:
        """The JSON of the choice: ``{"query": "尼", "count": 3, "matches": [{"person_id": 31, "name":
        "尼仓", "posts": ["市商务局局长"]}, …]}``; ``posts`` are those held today."""
        return {"query": self.query, "count": self.count, "matches": self.matches}


def find_person(session: Session, query: str, known_at: datetime | None = None, today: date | None = None) -> str:
    """What to answer for: ``query`` itself when it is a person id or a whole name on record, or the
    one name on record that contains it.  AmbiguousName when it is part of the names of people
    with different names; NotFound, naming the closest names on record, when no name contains it."""
    query = query.strip()
    if not query or query.isdigit():
        return query
    exists = recorded_by(Person.created_at, known_at)
    if session.scalar(select(Person.id).where(Person.name == query, exists).limit(1)) is not None:
        return query
    rows = session.execute(
        select(Person.id, Person.name).where(Person.name.contains(query, autoescape=True), exists)
    ).all()
    # By code point, the same on both backends (a PostgreSQL collation orders Chinese its own way).
    rows.sort(key=lambda row: (row.name, row.id))
    if len({row.name for row in rows}) == 1:
        return rows[0].name
    if rows:
        shown = rows[:MATCHES_SHOWN]
        posts = _posts_held(session, [row.id for row in shown], today or date.today(), known_at)
        matches = [{"person_id": row.id, "name": row.name, "posts": posts.get(row.id, [])} for row in shown]
        raise AmbiguousName(query, matches, len(rows))
    import difflib

    names = session.scalars(select(Person.name).where(exists).distinct()).all()
    close = difflib.get_close_matches(query, names, n=10, cutoff=0.4)

    def likeness(name: str) -> tuple:
        # As alike first; of those, a name that begins as the query does (the family name) first.
        return (-difflib.SequenceMatcher(None, query, name).ratio(), not name.startswith(query[0]), name)

    close = sorted(close, key=likeness)[:3]
    hint = _("; closest: {items}").format(items=', '.join(close)) if close else ""
    raise NotFound(_("nobody called {query} is on record{hint}").format(query=query, hint=hint))


def _posts_held(session: Session, person_ids: list[int], on: date, known_at: datetime | None) -> dict[int, list[str]]:
    """Each person's posts held on ``on`` (organization and title, as one string), in time order."""
    rows = session.execute(
        select(Holding.person_id, Holding.since, Holding.id, Organization.name, Post.title)
        .join(Post, Holding.post_id == Post.id)
        .join(Organization, Holding.org_id == Organization.id)
        .where(Holding.person_id.in_(person_ids), held_on(on), known(known_at))
    ).all()
    # Sorted here: the backends put an unknown start (NULL) at different ends of an ORDER BY.
    rows.sort(key=lambda r: (r.person_id, r.since is not None, r.since or date.min, r.id))
    posts: dict[int, list[str]] = {}
    for row in rows:
        posts.setdefault(row.person_id, []).append(f"{row.name}{row.title}")
    return posts


def matches_view(choice: AmbiguousName) -> tuple[list[str], list[list]]:
    headers = ["人员ID", "姓名", "现任职务"]
    return headers, [[m["person_id"], m["name"], "、".join(m["posts"])] for m in choice.matches]


def matches_csv_view(choice: AmbiguousName) -> tuple[list[str], list[list]]:
    return ["person_id", "name", "posts"], [[m["person_id"], m["name"], m["posts"]] for m in choice.matches]


# -- reading ------------------------------------------------------------------------

def people(session: Session, query: str, known_at: datetime | None = None) -> dict:
    """Everyone called ``query`` (or the person with that id): holdings, notices, events.

    Shape::

        {"query": "赵线", "people": [{
            "person_id": 9, "name": "赵线", "merged_into": null,
            "holdings": [{"holding_id": 31, "organization": "市卫生健康委员会", "title": "副主任",
                          "since": "2019-05-20", "until": "2023-02-06",
                          "short": "市卫生健康委员会副主任 2019-05-20–2023-02-06"}],
            "notices": ["林政发〔2019〕12号", "林政发〔2023〕3号"],
            "events": [{"event_id": 1, "kind": "merge", "person_id": 9, "other_person_id": 14,
                        "reason": "…", "recorded_at": "2026-05-01T08:00:00+00:00", "recorded_by": "clerk",
                        "undone_at": null, "undone_by": null, "undo_reason": null}]}]}

    ``merged_into`` is the person a record now counts as (null for a person in
    their own right); a merged record lists no holdings or notices of its own.
    """
    at = known_at
    query = query.strip()
    if query.isdigit():
        person = session.get(Person, int(query))
        if person is None or not _exists(person, at):
            raise NotFound(_("no person with id {query}").format(query=query))
        records = [person]
    else:
        records = list(session.scalars(
            select(Person).where(Person.name == query, recorded_by(Person.created_at, at)).order_by(Person.id)
        ))
        if not records:
            raise NotFound(_("nobody called {query} is on record").format(query=query))
    people_map = derive.person_map(session, at)
    mentions = _mentions(session, people_map, at, {people_map.find(person.id) for person in records})
    events: dict[int, list[dict]] = {}
    for event in _events(session, at, [person.id for person in records]):
        for person_id in dict.fromkeys((event.person_id, event.other_person_id)):
            events.setdefault(person_id, []).append(_event_json(event, at))
    holdings = _holdings(session, [p.id for p in records if people_map.find(p.id) == p.id], known_at)
    result = []
    for person in records:
        root = people_map.find(person.id)
        result.append({
            "person_id": person.id,
            "name": person.name,
            "merged_into": root if root != person.id else None,
            "holdings": holdings.get(person.id, []) if root == person.id else [],
            "notices": mentions.get(person.id, []) if root == person.id else [],
            "events": events.get(person.id, []),
        })
    return {"query": query, "people": result}


def _holdings(session: Session, person_ids: list[int], known_at: datetime | None) -> dict[int, list[dict]]:
    """Each person's holdings in time order, in one query of plain columns for them all."""
    found: dict[int, list[dict]] = {}
    for chunk in range(0, len(person_ids), 500):
        rows = session.execute(
            select(Holding.id, Holding.person_id, Holding.since, Holding.until, Post.title, Organization.name)
            .join(Post, Holding.post_id == Post.id)
            .join(Organization, Holding.org_id == Organization.id)
            .where(Holding.person_id.in_(person_ids[chunk:chunk + 500]), known(known_at))
        ).all()
        rows.sort(key=lambda r: (r.since is not None, r.since or date.min, r.until or date.max, r.id))
        for h in rows:
            found.setdefault(h.person_id, []).append({
                "holding_id": h.id,
                "organization": h.name,
                "title": h.title,
                "since": iso(h.since),
                "until": iso(h.until),
                "short": short_holding(h.name, h.title, h.since, h.until),
            })
    return found


def short_holding(org: str, title: str, since: date | None, until: date | None) -> str:
    """市乡村振兴局副局长 (未记载)–2023-02-06; an open end is left blank."""
    return f"{org}{title} {_span(since, until)}"


def _mentions(session: Session, people_map: derive.PersonMap, at: datetime | None,
              roots: set[int]) -> dict[int, list[str]]:
    """Notice numbers naming each of ``roots`` (as subject or in 列X之后), in canonical order;
    only the actions that can name them are read."""
    rows = session.execute(
        select(Action.id, Action.person_id, Action.ranked_after_person_id, Notice.number)
        .join(NoticeVersion, Action.version_id == NoticeVersion.id)
        .join(Notice, NoticeVersion.notice_id == Notice.id)
        .where(version_shown(at), people_map.naming(roots))
        .order_by(*canonical_order())
    ).all()
    found: dict[int, list[str]] = {}
    for action in rows:
        number = action.number
        for person in (people_map.subject(action), people_map.ranked_after(action)):
            if person is not None and number not in found.setdefault(person, []):
                found[person].append(number)
    return found


def _events(session: Session, at: datetime | None, person_ids: Iterable[int]) -> list[PersonEvent]:
    """The events naming any of these people (on either side), in the order they were recorded: only
    theirs are read (by the two indexes on person_events), however many the registry holds."""
    person_ids = sorted(set(person_ids))
    events: dict[int, PersonEvent] = {}
    for chunk in range(0, len(person_ids), 500):
        ids = person_ids[chunk:chunk + 500]
        for event in session.scalars(
            select(PersonEvent).where(or_(PersonEvent.person_id.in_(ids), PersonEvent.other_person_id.in_(ids)),
                                      recorded_by(PersonEvent.recorded_at, at))
        ):
            events[event.id] = event
    return sorted(events.values(), key=lambda event: (event.recorded_at, event.id))


def _exists(person: Person, at: datetime | None) -> bool:
    """Whether the person record had been created by recorded time ``at`` (now if None)."""
    return at is None or person.created_at <= at


def _moment(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "+00:00" if value is not None else None


def _event_json(event: PersonEvent, at: datetime | None) -> dict:
    undone = event_undone_at(event, at)
    return {
        "event_id": event.id,
        "kind": event.kind,
        "person_id": event.person_id,
        "other_person_id": event.other_person_id,
        "reason": event.reason,
        "recorded_at": _moment(event.recorded_at),
        "recorded_by": event.recorded_by,
        "undone_at": _moment(event.undone_at) if undone else None,
        "undone_by": event.undone_by if undone else None,
        "undo_reason": event.undo_reason if undone else None,
    }


def describe_event(event: dict) -> str:
    """One line: 'event 1: person 14 merged into person 9 (same man) by clerk'."""
    if event["kind"] == "merge":
        what = _("person {other_person_id} merged into person {person_id}").format(other_person_id=event['other_person_id'], person_id=event['person_id'])
    else:
        what = _("person {other_person_id} split from person {person_id}").format(other_person_id=event['other_person_id'], person_id=event['person_id'])
    text = _("event {event_id}: {what} ({reason})").format(event_id=event['event_id'], what=what, reason=event['reason'])
    if event["undone_at"] is not None:
        text += _(", undone ({undo_reason})").format(undo_reason=event['undo_reason'])
    return text


def history_notes(session: Session, query: str, known_at: datetime | None = None) -> list[str]:
    """The person events in force behind a history answer, one line each."""
    at = known_at
    query = query.strip()
    if query.isdigit():
        ids = {int(query)}
    else:
        ids = set(session.scalars(select(Person.id).where(Person.name == query)))
    notes = []
    for event in _events(session, at, ids):
        data = _event_json(event, at)
        if data["undone_at"] is None:
            notes.append(_("note: {event}").format(event=describe_event(data)))
    return notes


def people_view(data: dict) -> tuple[list[str], list[list]]:
    headers = ["人员ID", "姓名", "任职", "相关文号", "备注"]
    rows = []
    for p in data["people"]:
        notes = [f"已并入#{p['merged_into']}"] if p["merged_into"] is not None else []
        notes += [f"事件{e['event_id']}{KINDS[e['kind']]}" + ("（已撤销）" if e["undone_at"] else "")
                  for e in p["events"]]
        rows.append([
            p["person_id"], p["name"],
            "\n".join(f"#{h['holding_id']} {h['short']}" for h in p["holdings"]),
            "\n".join(p["notices"]),
            "；".join(notes),
        ])
    return headers, rows


def people_csv_view(data: dict) -> tuple[list[str], list[list]]:
    headers = ["person_id", "name", "merged_into", "holdings", "notices", "events"]
    rows = [[
        p["person_id"], p["name"], p["merged_into"],
        "；".join(f"#{h['holding_id']} {h['short']}" for h in p["holdings"]),
        p["notices"], [e["event_id"] for e in p["events"]],
    ] for p in data["people"]]
    return headers, rows


def events_view(data: dict) -> tuple[list[str], list[list]]:
    """Every event named in a people answer, once."""
    headers = ["事件ID", "类型", "人员", "原因", "记录时间", "记录人", "撤销"]
    rows, seen = [], set()
    for p in data["people"]:
        for e in p["events"]:
            if e["event_id"] in seen:
                continue
            seen.add(e["event_id"])
            undone = f"{e['undone_at']} {e['undo_reason']}" if e["undone_at"] else ""
            rows.append([e["event_id"], KINDS[e["kind"]], f"#{e['person_id']} #{e['other_person_id']}",
                         e["reason"], e["recorded_at"], e["recorded_by"], undone])
    return headers, rows


# -- writing ------------------------------------------------------------------------

def merge(session: Session, kept_id: int, other_id: int, reason: str, by: str = "",
          now: datetime | None = None) -> PersonEvent:
    """Record that two person records are one person; the first id is kept."""
    _require_reason(reason)
    now = clock(session, now)
    if kept_id == other_id:
        raise RegistryError(_("person {kept_id} is already one person; give two different ids").format(kept_id=kept_id))
    kept, other = _person(session, kept_id, now), _person(session, other_id, now)
    if kept.name != other.name:
        raise RegistryError(
            _("person {id} is {name} and person {id2} is {name2}; only records of one name can be merged "
               "(correct a misspelt name with amend)").format(id=kept.id, name=kept.name, id2=other.id, name2=other.name)
        )
    before = derive.person_map(session, now)
    if before.find(kept.id) == before.find(other.id):
        raise RegistryError(_("people {id} and {id2} are already one person").format(id=kept.id, id2=other.id))
    for person in (kept, other):
        root = before.find(person.id)
        if root != person.id:
            raise RegistryError(_("person {id} is already merged into person {root}; merge with {root} instead").format(id=person.id, root=root))
    refusal = _("people {id} and {id2} cannot be one person").format(id=kept.id, id2=other.id)
    _refuse_same_post_at_once(session, kept.id, other.id, refusal)
    event = PersonEvent(kind="merge", person_id=kept.id, other_person_id=other.id, reason=reason.strip(),
                        recorded_at=now, recorded_by=by)
    _apply(session, event, [kept.id, other.id], now, refusal)
    return event


def _refuse_same_post_at_once(session: Session, first: int, second: int, refusal: str) -> None:
    rows = session.execute(
        select(Holding, Post.title, Organization.name)
        .join(Post, Holding.post_id == Post.id).join(Organization, Holding.org_id == Organization.id)
        .where(Holding.person_id.in_([first, second]), known(None))
        .order_by(Holding.since, Holding.id)
    ).all()
    mine = [r for r in rows if r.Holding.person_id == first]
    theirs = [r for r in rows if r.Holding.person_id == second]
    for a in mine:
        for b in theirs:
            if a.Holding.post_id == b.Holding.post_id and share_a_date(a.Holding, b.Holding):
                raise RegistryError(
                    _("{refusal}: both hold {name}{title} at the same time ({span} and {span2})").format(refusal=refusal, name=a.name, title=a.title, span=_span(a.Holding.since, a.Holding.until), span2=_span(b.Holding.since, b.Holding.until))
                )


def split(session: Session, person_id: int, holding_ids: list[int], reason: str, by: str = "",
          now: datetime | None = None) -> PersonEvent:
    """Record that the given holdings of a person were another person's; they move to a new record."""
    _require_reason(reason)
    now = clock(session, now)
    person = _person(session, person_id, now)
    if not holding_ids:
        raise RegistryError(_("name the holdings that move with --holding"))
    root = derive.person_map(session, now).find(person.id)
    if root != person.id:
        raise RegistryError(_("person {id} is merged into person {root}; split person {root} instead").format(id=person.id, root=root))
    held = list(session.scalars(select(Holding).where(Holding.person_id == person.id, Holding.known_until.is_(None))))
    by_id = {h.id: h for h in held}
    unknown = [h for h in holding_ids if h not in by_id]
    if unknown:
        raise RegistryError(
            _("holding {unknown} is not one of person {id}'s holdings; see `registry people {id}`").format(unknown=unknown[0], id=person.id)
        )
    moving = [by_id[h] for h in dict.fromkeys(holding_ids)]
    rostered = [h.id for h in moving if h.start_action_id is None]
    if rostered:
        # A split moves what notices say about a person; a roster row names its person itself.
        raise RegistryError(_("holding {rostered} comes from a starting roster, not a notice, and cannot be split off").format(rostered=rostered[0]))
    if len(moving) == len(held):
        raise RegistryError(_("that moves every holding of person {id}; a split leaves them at least one").format(id=person.id))
    new = Person(name=person.name, gender=person.gender, created_at=now)
    session.add(new)
    session.flush()
    event = PersonEvent(kind="split", person_id=person.id, other_person_id=new.id, reason=reason.strip(),
                        links=[PersonEventAction(action_id=item["action"], role=item["role"])
                               for item in _actions_behind(session, person.id, moving, held, now)],
                        recorded_at=now, recorded_by=by)
    _apply(session, event, [person.id, new.id], now, _("person {id} cannot be split that way").format(id=person.id))
    return event


def _actions_behind(session: Session, person_id: int, moving: list[Holding], held: list[Holding],
                    now: datetime) -> list[dict]:
    """The (action, role) pairs that make up the moving holdings.

    The appointment and removal name the person as subject; a holding known
    only from a reference starts with that reference.  References to the person
    in the same organization while a moving holding was held move with it,
    unless the person kept another holding there on that date.
    """
    items: list[dict] = []

    def add(action_id: int, role: str) -> None:
        item = {"action": action_id, "role": role}
        if item not in items:
            items.append(item)

    for h in moving:
        add(h.start_action_id, "ranked_after" if h.inferred else "subject")
        if h.end_action_id is not None:
            add(h.end_action_id, "subject")
    people_map = derive.person_map(session, now)
    staying = [h for h in held if h not in moving]
    references = session.execute(
        select(Action, NoticeVersion.date)
        .join(NoticeVersion, Action.version_id == NoticeVersion.id)
        .where(Action.ranked_after_person_id.is_not(None), version_shown(now),
               people_map.naming({people_map.find(person_id)}))
        .order_by(NoticeVersion.date, Action.id)
    ).all()
    for action, on in references:
        if people_map.ranked_after(action) != person_id:
            continue
        if any(h.org_id == action.org_id and held_during(h, on) for h in moving) and not any(
            h.org_id == action.org_id and held_during(h, on) for h in staying
        ):
            add(action.id, "ranked_after")
    return items


def undo(session: Session, event_id: int, reason: str, by: str = "", now: datetime | None = None) -> PersonEvent:
    """Stop a merge or split from now on; the event stays on record, marked undone."""
    _require_reason(reason)
    now = clock(session, now)
    event = session.get(PersonEvent, event_id)
    if event is None or event.recorded_at > now:
        raise NotFound(_("no person event {event_id}; see `registry people NAME` for event ids").format(event_id=event_id))
    if event.undone_at is not None:
        raise RegistryError(_("event {id} was already undone on {undone_at:%Y-%m-%d}").format(id=event.id, undone_at=event.undone_at))
    ids = [event.person_id, event.other_person_id]
    event.undone_at, event.undone_by, event.undo_reason = now, by, reason.strip()
    _apply(session, None, ids, now, _("event {id} cannot be undone").format(id=event.id), before=now - TICK)
    return event


# -- shared -------------------------------------------------------------------------

def _require_reason(reason: str | None) -> None:
    if not reason or not reason.strip():
        raise RegistryError(_("a reason is required (--reason)"))


def _person(session: Session, person_id: int, now: datetime) -> Person:
    person = session.get(Person, person_id)
    if person is None or person.created_at > now:
        raise NotFound(_("no person with id {person_id}").format(person_id=person_id))
    return person


def _apply(session: Session, event: PersonEvent | None, ids: list[int], now: datetime, refusal: str,
           before: datetime | None = None) -> None:
    """Record the event (or its undoing) and re-derive what it touches, refusing overlaps.

    An identity change must not make one person hold one post twice at once:
    the derivation would show both holdings on the same dates.
    """
    org_ids = derive.orgs_of_people(session, ids, (before or now,))
    if event is not None:
        session.add(event)
    session.flush()
    org_ids |= derive.orgs_of_people(session, ids, (now,))
    previous = _overlaps(session, org_ids)
    drafts = {}
    for org_id in sorted(org_ids):
        try:
            drafts[org_id] = derive.replay(session, org_id, now)
        except RegistryError as error:
            raise RegistryError(_("{refusal}: {error}").format(refusal=refusal, error=error)) from None
    for org_id, org_drafts in drafts.items():
        for clash in _clashes(org_drafts):
            if clash[1:] not in previous:
                person_id, title, spans = clash
                org = session.get(Organization, org_id).name
                name = session.get(Person, person_id).name
                raise RegistryError(
                    _("{refusal}: {name} would hold {org}{title} twice at once ({spans} and {spans1})").format(refusal=refusal, name=name, org=org, title=title, spans=spans[0], spans1=spans[1])
                )
    for org_id, org_drafts in drafts.items():
        derive.sync(session, org_id, org_drafts, now)


def _span(since: date | None, until: date | None) -> str:
    return f"{since.isoformat() if since else '(未记载)'}–{until.isoformat() if until else ''}"


_overlapping_pairs = derive.overlapping_drafts


def _spans(a, b) -> tuple[str, str]:
    return tuple(sorted([_span(a.since, a.until), _span(b.since, b.until)]))


def _clashes(drafts) -> list[tuple]:
    """(person, title, spans) for every two holdings of one person and post that share a date."""
    return [(a.person_id, a.title, _spans(a, b)) for a, b in _overlapping_pairs(drafts)]


def _overlaps(session: Session, org_ids: set[int]) -> set[tuple]:
    """Overlaps the registry shows before the change: those are not the change's doing.  One
    self-join of the organizations' current holdings on person and post (indexed by person),
    not their rows loaded and compared in pairs."""
    other = aliased(Holding)
    rows = session.execute(
        select(Post.title, Holding.since, Holding.until, other.since, other.until)
        .join(other, and_(other.person_id == Holding.person_id, other.post_id == Holding.post_id,
                          other.id > Holding.id))
        .join(Post, Holding.post_id == Post.id)
        .where(Holding.org_id.in_(org_ids), known(None), known(None, other),
               spans_share_a_date(Holding.since, Holding.until, other.since, other.until))
    ).all()
    return {(title, _spans(Span(since, until), Span(since2, until2))) for title, since, until, since2, until2 in rows}
