"""The registry's holdings as exchange records: one per holding, with stable ids and its notices.

Both open-data exports (Popolo and FollowTheMoney) are views of the same list,
so that they cannot disagree about who held what.  Holdings are read through
``queries.holding_rows`` and "in force on D" through ``queries.held_on``: the
exports ask the registry's own questions and add no interval test of their own.

Ids must survive a rebuild, and holding ids do not (a re-derivation opens new
rows), so a membership is named by what it is: its person, its post and its
start date (``11-7-2023-02-06``).  A start not on record is ``unknown``; the
rare second unknown-start holding of one person in one post gets ``unknown-2``
in date order of its end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import queries
from ..models import Action, Notice, NoticeVersion, OrgAlias
from ..render import END_REASON_LABELS  # one set of labels: a 挂职期满 or 代理转正 ending is named as everywhere

# The registry holds Linzhi City's appointments: its organizations are the city's.
CITY = "林芝市"
REGION = "西藏自治区林芝市"



@dataclass(frozen=True)
class NoticeRef:
    """A notice as an export cites it."""

    notice_id: int
    number: str
    date: date
    title: str
    issuer: str


@dataclass(frozen=True)
class RosterRef:
    """A starting roster as an export cites it."""

    roster_id: int
    label: str
    date: date
    document: str | None  # the 任职文号 the row gives


@dataclass(frozen=True)
class Source:
    """A notice and what it says about a holding: "appointed", "referenced" (列X之后) or "ended";
    or, with role "roster", the starting roster whose row started it."""

    role: str
    notice: NoticeRef | RosterRef
    end_reason: str | None = None

    @property
    def label(self) -> str:
        if isinstance(self.notice, RosterRef):
            document = f"，任职文号{self.notice.document}" if self.notice.document else ""
            return f"{self.notice.label}{document}"
        if self.role == "appointed":
            what = "任职"
        elif self.role == "referenced":
            what = "列…之后推定在任"
        else:
            what = END_REASON_LABELS.get(self.end_reason or "removed", "免职")
        return f"{what}：{self.notice.number}（{self.notice.date.isoformat()}）"


@dataclass
class Organization:
    id: int
    name: str
    aliases: list[str] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        """The name outside the city: 市卫生健康委员会 is 林芝市卫生健康委员会."""
        if self.name.startswith("林芝"):
            return self.name
        if self.name.startswith("市"):
            return "林芝" + self.name
        return CITY + self.name


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    gender: str | None  # "女" or "男" as the notice wrote it, or None


@dataclass(frozen=True)
class Post:
    id: int
    organization_id: int
    title: str


@dataclass
class Membership:
    """One holding, with the notices that say so."""

    key: str
    person: Person
    post: Post
    organization: Organization
    since: date | None
    until: date | None
    inferred: bool
    concurrent: bool
    acting: bool
    probation_until: date | None
    secondment: str | None
    end_reason: str | None
    position: int
    sources: list[Source]

    @property
    def start_known(self) -> bool:
        return self.since is not None

    def notes(self) -> list[str]:
        """What a reader must know beyond the dates, in the words the registry's tables use."""
        notes = []
        if self.inferred:
            notes.append("据排序推定")
        if not self.start_known:
            notes.append("任职起始未记载")
        if self.concurrent:
            notes.append("兼任")
        if self.acting:
            notes.append("代理")
        if self.probation_until is not None:
            notes.append(f"试用期至{self.probation_until.isoformat()}")
        if self.secondment:
            notes.append(self.secondment)
        return notes

    def status(self, on: date) -> str:
        """"current" if held on ``on`` or later, "ended" if it ended by then."""
        return "ended" if self.until is not None and self.until <= on else "current"


@dataclass
class Snapshot:
    """Everything one export shows, in a stable order."""

    memberships: list[Membership]
    as_of: date | None

    @property
    def people(self) -> list[Person]:
        return sorted({m.person.id: m.person for m in self.memberships}.values(), key=lambda p: p.id)

    @property
    def organizations(self) -> list[Organization]:
        return sorted({m.organization.id: m.organization for m in self.memberships}.values(), key=lambda o: o.id)

    @property
    def posts(self) -> list[Post]:
        return sorted({m.post.id: m.post for m in self.memberships}.values(), key=lambda p: p.id)


def snapshot(session: Session, as_of: date | None = None, known_at: datetime | None = None) -> Snapshot:
    """Every holding (or those in force on ``as_of``), as the registry knows it at ``known_at``."""
    rows = queries.holding_rows(session, known_at=known_at)
    if as_of is not None:
        # Keys are numbered over all holdings, so that a membership has the same id in
        # an as-of export as in the whole history.
        in_force = {row.Holding.id for row in queries.holding_rows(session, queries.held_on(as_of), known_at=known_at)}
    notices = _notices_of(session, rows)
    aliases = _aliases(session)
    organizations: dict[int, Organization] = {}
    memberships = []
    for key, row in _keyed(rows):
        h = row.Holding
        org = organizations.setdefault(
            row.Organization.id, Organization(row.Organization.id, row.Organization.name, aliases.get(row.Organization.id, []))
        )
        sources = []
        if row.start is None:
            roster = row.start_row.roster
            sources.append(Source("roster", RosterRef(roster.id, roster.label, roster.as_of, row.start_row.document)))
        elif row.start.kind == "appoint":
            sources.append(Source("referenced" if h.inferred else "appointed", notices[h.start_action_id]))
        if h.end_action_id is not None:
            sources.append(Source("ended", notices[h.end_action_id], h.end_reason))
        membership = Membership(
            key=key,
            person=Person(row.Person.id, row.Person.name, row.Person.gender),
            post=Post(row.Post.id, org.id, row.Post.title),
            organization=org,
            since=h.since, until=h.until, inferred=h.inferred, concurrent=h.concurrent, acting=h.acting,
            probation_until=h.probation_until, secondment=h.secondment, end_reason=h.end_reason,
            position=h.position, sources=sources,
        )
        if as_of is None or h.id in in_force:
            memberships.append(membership)
    memberships.sort(key=lambda m: (m.organization.id, m.post.id, m.position, m.key))
    return Snapshot(memberships, as_of)


def _keyed(rows):
    """(key, row) for each holding: person-post-start, with unknown starts numbered by their end."""
    ordered = sorted(rows, key=lambda r: (r.Person.id, r.Post.id, r.Holding.since is not None,
                                          r.Holding.since or date.min, r.Holding.until is None,
                                          r.Holding.until or date.max, r.start.id if r.start else 0))
    seen: dict[str, int] = {}
    for row in ordered:
        h = row.Holding
        base = f"{row.Person.id}-{row.Post.id}-{h.since.isoformat() if h.since else 'unknown'}"
        seen[base] = seen.get(base, 0) + 1
        yield (base if seen[base] == 1 else f"{base}-{seen[base]}"), row


def _notices_of(session: Session, rows) -> dict[int, NoticeRef]:
    """The notice (as the version that counts shows it) of every start and end action, by action id."""
    action_ids = sorted(({r.Holding.start_action_id for r in rows} | {r.Holding.end_action_id for r in rows}) - {None})
    found: dict[int, NoticeRef] = {}
    for start in range(0, len(action_ids), 500):  # an IN list of bounded length on every backend
        chunk = action_ids[start:start + 500]
        for action_id, notice_id, number, day, title, issuer in session.execute(
            select(Action.id, Notice.id, Notice.number, NoticeVersion.date, NoticeVersion.title, NoticeVersion.issuer)
            .join(NoticeVersion, Action.version_id == NoticeVersion.id)
            .join(Notice, NoticeVersion.notice_id == Notice.id)
            .where(Action.id.in_(chunk))
        ):
            found[action_id] = NoticeRef(notice_id, number, day, title, issuer)
    return found


def _aliases(session: Session) -> dict[int, list[str]]:
    aliases: dict[int, list[str]] = {}
    for org_id, alias in session.execute(select(OrgAlias.org_id, OrgAlias.alias).order_by(OrgAlias.id)):
        aliases.setdefault(org_id, []).append(alias)
    return aliases
