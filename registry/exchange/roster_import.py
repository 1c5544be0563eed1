"""A starting roster: the office's own sheet of who holds which post, recorded as a source.

An office that starts using the registry already has a roster (an Excel sheet
or CSV).  Importing it records "these people held these posts on D, per the
office's roster" as a source of its own kind, not a notice.  Each row starts a
holding known on D, from the sheet's 任职时间 or with the start not on record,
unless the registry already has that person in that post; a later notice that
removes or ranks after someone from the sheet joins that holding, because
derivation replays roster rows with the actions (``registry.derive``).

Reading is strict, like reading a notice: an unknown column, an empty name, a
date that is not a date, a 备注 it cannot read or a repeated row refuses the
whole sheet, naming the row.  Names resolve as a removal's do: the person of
that name known to hold that post on D, else the later record of that name in
that post whose start is not on record, else a new person.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from .. import derive, queries
from ..dependencies import sentence
from ..errors import NoticeError, RegistryError
from ..inputs import parse_date
from ..models import Action, Holding, NoticeVersion, Person, Post, RosterImport, RosterRow, utcnow
from ..orgs import TITLES, create_org, find_org
from ..record import check_links
from ..text import decode, normalize
from ..timerules import known
from ..i18n import _

# Column headings, Chinese as the office writes them or English; matched without case or spaces.
COLUMNS = {
    "单位": "organization", "organization": "organization",
    "姓名": "name", "name": "name",
    "职务": "title", "title": "title",
    "任职时间": "since", "since": "since",
    "任职文号": "document", "document": "document",
    "备注": "note", "note": "note",
}
REQUIRED = ("organization", "name", "title")
HEADINGS = {"organization": "单位", "name": "姓名", "title": "职务", "since": "任职时间", "document": "任职文号",
            "note": "备注"}
_NOTE_SEPARATORS = re.compile(r"[；;，,、\s]+")
_PROBATION = re.compile(r"试用期至(.+)")


@dataclass
class Entry:
    """One row of the sheet, read and checked, before names are resolved."""

    row_number: int
    organization: str
    name: str
    title: str
    since: date | None = None
    document: str | None = None
    note: str = ""
    concurrent: bool = False
    acting: bool = False
    probation_until: date | None = None


@dataclass
class PlannedRow:
    entry: Entry
    person_id: int
    person_new: bool
    organization: str
    org_id: int
    org_new: bool
    how: str
    namesakes: list[int] = field(default_factory=list)


@dataclass
class Outcome:
    status: str  # "recorded" | "already recorded"
    file_name: str
    as_of: date
    plan: list[PlannedRow]
    conflicts: list[str]


# -- reading the sheet --------------------------------------------------------------

def read_sheet(file_name: str, data: bytes) -> list[tuple[int, list[str]]]:
    """(row number, cells) of every row that is not blank; the header is row 1."""
    suffix = Path(file_name).suffix.lower()
    if suffix == ".xlsx":
        rows = _xlsx_rows(data)
    elif suffix == ".csv":
        try:
            text = decode(data)
        except NoticeError as error:
            raise RegistryError(_("{file_name}: {error}").format(file_name=file_name, error=error)) from None
        rows = list(csv.reader(io.StringIO(text)))
    else:
        raise RegistryError(_("{file_name} is not a roster: give an .xlsx or .csv file").format(file_name=file_name))
    found = []
    for number, cells in enumerate(rows, start=1):
        cells = [_cell(value) for value in cells]
        if any(cells):
            found.append((number, cells))
    return found


def _xlsx_rows(data: bytes) -> list[list]:
    try:
        from openpyxl import load_workbook
    except ImportError:
        raise RegistryError(_("{missing}, or save the sheet as .csv").format(
            missing=sentence("openpyxl", _("reading .xlsx")))) from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise RegistryError(_("the file is not an Excel workbook ({error})").format(error=error)) from None
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return normalize(str(value)).strip()


def read_entries(file_name: str, data: bytes, as_of: date) -> list[Entry]:
    """The checked rows of a roster; anything not understood refuses the whole sheet, with its row."""
    rows = read_sheet(file_name, data)
    if not rows:
        raise RegistryError(_("{file_name} is empty").format(file_name=file_name))
    header_number, header = rows[0]
    columns = []
    for heading in header:
        key = COLUMNS.get(re.sub(r"\s+", "", heading).lower())
        if key is None:
            raise RegistryError(
                _("row {header_number}: unknown column {heading!r}; the columns are 单位, 姓名, 职务, 任职时间, 任职文号, "
                   "备注 (or organization, name, title, since, document, note)").format(header_number=header_number, heading=heading)
            )
        if key in columns:
            raise RegistryError(_("row {header_number}: the column {heading!r} appears twice").format(header_number=header_number, heading=heading))
        columns.append(key)
    missing = [HEADINGS[key] for key in REQUIRED if key not in columns]
    if missing:
        raise RegistryError(_("row {header_number}: no column {items}").format(header_number=header_number, items='、'.join(missing)))
    entries: list[Entry] = []
    seen: dict[tuple, int] = {}
    for number, cells in rows[1:]:
        if len(cells) > len(columns) and any(cells[len(columns):]):
            raise RegistryError(_("row {number}: a value outside the named columns").format(number=number))
        values = dict(zip(columns, cells + [""] * (len(columns) - len(cells))))
        for key in REQUIRED:
            if not values[key]:
                raise RegistryError(_("row {number}: {value} is empty").format(number=number, value=HEADINGS[key]))
        entry = Entry(number, values["organization"], values["name"], values["title"],
                      document=values.get("document") or None, note=values.get("note", ""))
        if entry.title not in TITLES:
            raise RegistryError(_("row {number}: 职务 {title!r} is not a title the registry knows").format(number=number, title=entry.title))
        if values.get("since"):
            entry.since = _date(values["since"], number, "任职时间")
            if entry.since > as_of:
                raise RegistryError(_("row {number}: 任职时间 {since} is after the roster's date {as_of}").format(number=number, since=entry.since, as_of=as_of))
        _read_note(entry, number)
        key = (entry.organization, entry.name, entry.title)
        if key in seen:
            raise RegistryError(_("row {number} repeats row {value} ({name}, {organization}{title})").format(number=number, value=seen[key], name=entry.name, organization=entry.organization, title=entry.title))
        seen[key] = number
        entries.append(entry)
    if not entries:
        raise RegistryError(_("{file_name} has a header and no rows").format(file_name=file_name))
    return entries


def _date(text: str, number: int, heading: str) -> date:
    try:
        return parse_date(text)
    except ValueError as error:
        raise RegistryError(_("row {number}: {heading} {error}").format(number=number, heading=heading, error=error)) from None


def _read_note(entry: Entry, number: int) -> None:
    """备注: 兼任, 代理 and 试用期至DATE, in any order; anything else is refused, quoted."""
    for item in filter(None, _NOTE_SEPARATORS.split(entry.note)):
        probation = _PROBATION.fullmatch(item)
        if item == "兼任":
            entry.concurrent = True
        elif item == "代理":
            entry.acting = True
        elif probation:
            entry.probation_until = _date(probation[1], number, "备注 试用期至")
        else:
            raise RegistryError(_("row {number}: cannot read {item!r} in 备注 {note!r} (the registry reads 兼任, 代理 and 试用期至DATE)").format(number=number, item=item, note=entry.note))


def content_hash(entries: list[Entry]) -> str:
    """The identity of a roster's content: the same rows from .csv or .xlsx are the same roster."""
    canonical = [[e.organization, e.name, e.title, e.since and e.since.isoformat(), e.document, e.note]
                 for e in entries]
    return hashlib.sha256(json.dumps(canonical, ensure_ascii=False).encode("utf-8")).hexdigest()


# -- resolving and recording ---------------------------------------------------------

def import_roster(session: Session, file_name: str, data: bytes, as_of: date, reason: str, *,
                  recorded_by: str = "", links: dict[str, int] | None = None,
                  now: datetime | None = None) -> Outcome:
    """Record a roster in the caller's transaction.  Raises RegistryError to refuse it."""
    now = now or utcnow()
    if not reason or not reason.strip():
        raise RegistryError(_("give a reason with --reason"))
    name = Path(file_name).name
    entries = read_entries(name, data, as_of)
    check_links(session, links)
    digest = content_hash(entries)
    if session.scalar(select(RosterImport.id).where(RosterImport.content_hash == digest, RosterImport.as_of == as_of)):
        return Outcome("already recorded", name, as_of, [], [])
    plan = _resolve(session, entries, as_of, links or {}, now)
    roster = RosterImport(file_name=name, content_hash=digest, as_of=as_of, label=f"名册 {name}（{as_of.isoformat()}）",
                          reason=reason.strip(), recorded_at=now, recorded_by=recorded_by)
    session.add(roster)
    session.flush()
    for step in plan:
        e = step.entry
        session.add(RosterRow(
            import_id=roster.id, row_number=e.row_number, name=e.name, person_id=step.person_id,
            org_id=step.org_id, title=e.title, since=e.since, document=e.document, concurrent=e.concurrent,
            acting=e.acting, probation_until=e.probation_until, note=e.note,
        ))
    session.flush()
    derive.rederive(session, {step.org_id for step in plan}, now)
    return Outcome("recorded", name, as_of, plan, conflicts(session, roster))


def _resolve(session: Session, entries: list[Entry], as_of: date, links: dict[str, int],
             now: datetime) -> list[PlannedRow]:
    created: set[str] = set()
    orgs = {}
    for e in entries:
        org = find_org(session, e.organization)
        if org is None:
            org = create_org(session, e.organization)
            created.add(org.name)
        orgs[e.organization] = org
    plan = []
    for e in entries:
        org = orgs[e.organization]
        step = PlannedRow(e, 0, False, org.name, org.id, org.name in created, "")
        if e.name in links:
            step.person_id, step.how = links[e.name], "由 --person 指定"
        else:
            people = _holders(session, e.name, org.id, e.title, as_of)
            step.how = f"{as_of} 在任{org.name}{e.title}"
            if not people:
                people = _later_unknown_start(session, e.name, org.id, e.title, as_of)
                step.how = "接续此后起始未记载的同职记录"
            if len(people) > 1:
                raise RegistryError(
                    _("row {row_number}: {name} could be any of people {items}; choose one with --person "
                       "{name}=ID").format(row_number=e.row_number, name=e.name, items=', '.join(map(str, people)))
                )
            if people:
                step.person_id = people[0]
            else:
                person = Person(name=e.name, created_at=now)
                session.add(person)
                session.flush()
                step.person_id, step.person_new, step.how = person.id, True, "无可对应的在任者，新建"
        step.namesakes = [pid for pid in session.scalars(select(Person.id).where(Person.name == e.name).order_by(Person.id))
                          if pid != step.person_id]
        plan.append(step)
    return plan


def _holders(session: Session, name: str, org_id: int, title: str, on: date) -> list[int]:
    rows = queries.holding_rows(session, Person.name == name, Holding.org_id == org_id, Post.title == title,
                                queries.held_on(on))
    return sorted({row.Person.id for row in rows})


def _later_unknown_start(session: Session, name: str, org_id: int, title: str, on: date) -> list[int]:
    """The person whose record this roster starts: the earliest one of that name and post revealed
    after ``on`` with no start on record (a removal, or a 列X之后 reference), revealed on the date of
    the notice, or of the roster, that started the holding (read by joins: no lazy load)."""
    revealed = func.coalesce(NoticeVersion.date, RosterImport.as_of)
    found = session.execute(
        select(revealed, Holding.person_id)
        .join(Person, Holding.person_id == Person.id)
        .join(Post, Holding.post_id == Post.id)
        .outerjoin(Action, Holding.start_action_id == Action.id)
        .outerjoin(NoticeVersion, Action.version_id == NoticeVersion.id)
        .outerjoin(RosterRow, Holding.start_roster_row_id == RosterRow.id)
        .outerjoin(RosterImport, RosterRow.import_id == RosterImport.id)
        .where(known(None), Person.name == name, Holding.org_id == org_id, Post.title == title,
               Holding.since.is_(None))
    ).all()
    found = [(day, person) for day, person in found if day is not None and day > on]
    if not found:
        return []
    first = min(day for day, _ in found)
    return sorted({person for day, person in found if day == first})


# -- contradictions ----------------------------------------------------------------------

def conflicts(session: Session, roster: RosterImport, known_at: datetime | None = None) -> list[str]:
    """Rows that contradict the registry on the roster's date, and holders the roster leaves out."""
    on = roster.as_of
    label = roster.label
    people = derive.person_map(session, known_at or utcnow())
    found = []
    listed = set()
    rows = session.scalars(select(RosterRow).where(RosterRow.import_id == roster.id).order_by(RosterRow.row_number)
                           .options(joinedload(RosterRow.organization))).all()
    for row in rows:
        person = people.find(row.person_id)
        listed.add((person, row.org_id, row.title))
        held = queries.holding_rows(session, Holding.person_id == person, Holding.org_id == row.org_id,
                                    Post.title == row.title, known_at=known_at)
        on_record = [r for r in held if r.Holding.start_roster_row_id != row.id]
        mine = [r for r in held if r.Holding.start_roster_row_id == row.id]
        post = f"{row.organization.name}{row.title}"
        for r in on_record:
            h = r.Holding
            # The registry's own holding covers the roster's date: only the start can disagree.
            if queries_held(session, h.id, on, known_at) and row.since is not None and h.since != row.since:
                found.append(_("{label} row {row_number}: {name} holds {post} since {since}, but the registry has the "
                                "start as {value} ({basis})").format(label=label, row_number=row.row_number, name=row.name, post=post, since=row.since, value=h.since or '未记载', basis=r.basis))
            # A removal after the sheet's start and by its date: the sheet says the post was never left.
            if mine and h.until is not None and h.until <= on and (row.since is None or row.since < h.until):
                found.append(_("{label} row {row_number}: {name} holds {post} on {on}, but {removed_by} ended that on "
                                "{until}").format(label=label, row_number=row.row_number, name=row.name, post=post, on=on, removed_by=r.removed_by, until=h.until))
    covered = {row.org_id for row in rows}
    for org_id in sorted(covered):
        for r in queries.holding_rows(session, Holding.org_id == org_id, queries.held_on(on), known_at=known_at):
            if (r.Person.id, org_id, r.Post.title) not in listed:
                found.append(_("{label}: the registry has {name} (person {id}) as {name2}{title} on {on} ({basis}), and "
                                "the roster does not list them").format(label=label, name=r.Person.name, id=r.Person.id, name2=r.Organization.name, title=r.Post.title, on=on, basis=r.basis))
    return found


def queries_held(session: Session, holding_id: int, on: date, known_at: datetime | None) -> list:
    """The holding's row if it is held on ``on``, asked the registry's one way."""
    return queries.holding_rows(session, Holding.id == holding_id, queries.held_on(on), known_at=known_at)


def all_conflicts(session: Session, known_at: datetime | None = None) -> list[tuple[RosterImport, str]]:
    """The contradictions of every roster known at ``known_at``, for ``check``."""
    at = known_at or utcnow()
    rosters = session.scalars(select(RosterImport).where(RosterImport.recorded_at <= at).order_by(RosterImport.id))
    return [(roster, message) for roster in rosters for message in conflicts(session, roster, known_at)]


# -- one transaction, as add-notice records a notice ---------------------------------------

def signature(outcome: Outcome) -> list[tuple]:
    """What a clerk confirmed in a preview: who each row is (a new person has no id yet) and where."""
    return [(s.entry.row_number, None if s.person_new else s.person_id, s.organization) for s in outcome.plan]


def record(engine, file_name: str, data: bytes, as_of: date, reason: str, *, dry_run: bool = False,
           links: dict[str, int] | None = None, recorded_by: str = "", confirmed: list[tuple] | None = None) -> Outcome:
    """Record (or, with dry_run, preview) a roster in one transaction: all of it or nothing.

    With ``confirmed``, the rows must resolve as they did in the preview the clerk confirmed.
    """
    from ..intake import _transaction

    def work(session: Session) -> Outcome:
        outcome = import_roster(session, file_name, data, as_of, reason, recorded_by=recorded_by, links=links)
        if confirmed is not None and outcome.status == "recorded" and signature(outcome) != confirmed:
            raise RegistryError(_("the registry changed since the preview; nothing was recorded, run import-roster again"))
        return outcome

    return _transaction(engine, work, dry_run=dry_run)
