"""The tables.

Notices (with every version of their text) and the actions read from them are
the source of truth, together with the person events (merge, split) a clerk
records.  Holdings are derived from those and carry two time axes:

- ``[since, until)``: the calendar dates on which the post was held (the
  "as of" axis).  ``since`` NULL means the start is not on record; ``until``
  NULL means the post is still held.
- ``[known_from, known_until)``: when the registry said so (the "as known at"
  axis).  A re-derivation closes rows that changed instead of rewriting them.

The database holds the rules, on SQLite and PostgreSQL alike: every closed set
of values is a CHECK constraint, every id that points at a row is a foreign
key, a notice has at most one active version (a partial unique index), recorded
time only moves forward (known_until > known_from), and no two current
holdings of one person in one post share a date (an exclusion constraint on
PostgreSQL, triggers on SQLite).  Every constraint has a name, which the
migrations (``registry/migrations``) use.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    DDL,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """This machine's clock as naive UTC; recorded time comes from ``server_now`` instead."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class server_now(FunctionElement):
    """The database server's clock as naive UTC, which compares the same on every backend.

    Recorded time is kept as naive UTC.  PostgreSQL gives the statement's time
    in microseconds; SQLite gives the machine's time in milliseconds.
    """

    type = DateTime()
    inherit_cache = True


@compiles(server_now)
def _server_now(element, compiler, **kw):
    return "CURRENT_TIMESTAMP"


@compiles(server_now, "postgresql")
def _server_now_postgresql(element, compiler, **kw):
    return "(statement_timestamp() AT TIME ZONE 'UTC')"


@compiles(server_now, "sqlite")
def _server_now_sqlite(element, compiler, **kw):
    return "strftime('%Y-%m-%d %H:%M:%f', 'now')"


class Base(DeclarativeBase):
    pass


# The closed sets of values, each held by a CHECK constraint.
ACTION_KINDS = ("appoint", "remove")
END_REASONS = ("removed", "resigned", "retired", "probation_terminated", "reassigned", "secondment_ended",
               "confirmed")
SUPERSEDE_KINDS = ("retracted", "amended")
EVENT_KINDS = ("merge", "split")
EVENT_ROLES = ("subject", "ranked_after")  # how a split's action named the person that moves


def one_of(column: str, values: tuple[str, ...], nullable: bool = False) -> str:
    """The SQL of a CHECK that ``column`` takes one of ``values`` (or is NULL)."""
    allowed = f"{column} IN ({', '.join(repr(v) for v in values)})"
    return f"{column} IS NULL OR {allowed}" if nullable else allowed


class Meta(Base):
    """Key/value settings; the 'writer' row doubles as the registry-wide write lock."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), default="")


class Organization(Base):
    __tablename__ = "organizations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=server_now())
    aliases: Mapped[list[OrgAlias]] = relationship(back_populates="organization", order_by="OrgAlias.id")


class OrgAlias(Base):
    __tablename__ = "org_aliases"
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    alias: Mapped[str] = mapped_column(String(200), unique=True)
    organization: Mapped[Organization] = relationship(back_populates="aliases")


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("org_id", "title"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    title: Mapped[str] = mapped_column(String(100))
    organization: Mapped[Organization] = relationship()


class Person(Base):
    """An opaque id and a name.  The id is never derived from the name."""

    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    gender: Mapped[str | None] = mapped_column(String(4))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=server_now())


class Notice(Base):
    """A document number.  Its text lives in versions, so corrections keep the record."""

    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    series: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    versions: Mapped[list[NoticeVersion]] = relationship(back_populates="notice", order_by="NoticeVersion.version")


class NoticeVersion(Base):
    __tablename__ = "notice_versions"
    __table_args__ = (
        UniqueConstraint("notice_id", "version"),
        CheckConstraint(one_of("supersede_kind", SUPERSEDE_KINDS, nullable=True), name="notice_version_supersede_kind"),
        # At most one active version per notice: a second one is refused by the database.
        Index("ux_notice_versions_active", "notice_id", unique=True,
              sqlite_where=text("superseded_at IS NULL"), postgresql_where=text("superseded_at IS NULL")),
        CheckConstraint(
            "source_first_page IS NULL OR (source_first_page >= 1 AND source_last_page >= source_first_page)",
            name="notice_version_pages_in_order",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    issuer: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    addressees: Mapped[str] = mapped_column(String(500), default="")
    basis: Mapped[str] = mapped_column(String(500), default="")
    signer: Mapped[str] = mapped_column(String(200), default="")
    date: Mapped[date] = mapped_column(Date, index=True)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=server_now())
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    # Set when a retraction or an amendment replaces this version; nothing is deleted.
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime)
    superseded_by: Mapped[str | None] = mapped_column(String(100))
    supersede_kind: Mapped[str | None] = mapped_column(String(20))  # "retracted" | "amended"
    supersede_reason: Mapped[str | None] = mapped_column(Text)
    # Where the text came from (NULL for text recorded before 0.2): the file's name, the
    # document's place in it when it holds several (a gazette issue), a PDF's page range.
    source_file: Mapped[str | None] = mapped_column(String(500))
    source_document: Mapped[int | None] = mapped_column(Integer)
    source_first_page: Mapped[int | None] = mapped_column(Integer)
    source_last_page: Mapped[int | None] = mapped_column(Integer)
    notice: Mapped[Notice] = relationship(back_populates="versions")
    actions: Mapped[list[Action]] = relationship(back_populates="version", order_by="Action.seq")


class Action(Base):
    """One act of a notice, in text order, with the clause it was read from."""

    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint(one_of("kind", ACTION_KINDS), name="action_kind"),
        CheckConstraint(one_of("end_reason", END_REASONS, nullable=True), name="action_end_reason"),
        # The actions that rank after someone (列X之后), by that person.  Partial: most actions rank
        # after no one, and a sampled ANALYZE that read only NULLs made the index look useless (revision 0008).
        Index("ix_actions_ranked_after_person_id", "ranked_after_person_id",
              sqlite_where=text("ranked_after_person_id IS NOT NULL"),
              postgresql_where=text("ranked_after_person_id IS NOT NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("notice_versions.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # "appoint" | "remove"
    clause: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(100))
    # The person the name resolved to at intake, as the clerk saw it in the preview.
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    concurrent: Mapped[bool] = mapped_column(default=False)
    acting: Mapped[bool] = mapped_column(default=False)
    probation_months: Mapped[int | None] = mapped_column(Integer)
    secondment: Mapped[str | None] = mapped_column(String(100))
    ranked_after_name: Mapped[str | None] = mapped_column(String(100))
    ranked_after_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    end_reason: Mapped[str | None] = mapped_column(String(30))
    version: Mapped[NoticeVersion] = relationship(back_populates="actions")
    organization: Mapped[Organization] = relationship()


class PersonEvent(Base):
    """A clerk's decision about identity: two records are one person, or one is two."""

    __tablename__ = "person_events"
    __table_args__ = (CheckConstraint(one_of("kind", EVENT_KINDS), name="person_event_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # "merge" | "split"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)  # merge: kept; split: source
    other_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)  # merge: absorbed; split: new
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=server_now())
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)
    undone_by: Mapped[str | None] = mapped_column(String(100))
    undo_reason: Mapped[str | None] = mapped_column(Text)
    # split: the actions that move, each with the role in which it named the person.
    links: Mapped[list[PersonEventAction]] = relationship(
        lazy="selectin", order_by="(PersonEventAction.action_id, PersonEventAction.role)",
    )

    @property
    def action_ids(self) -> list[dict]:
        """[{"action": id, "role": "subject" | "ranked_after"}, ...] for a split; [] for a merge."""
        return [{"action": link.action_id, "role": link.role} for link in self.links]


class PersonEventAction(Base):
    """One action a split moves to the new person, and the role in which it names them."""

    __tablename__ = "person_event_actions"
    __table_args__ = (CheckConstraint(one_of("role", EVENT_ROLES), name="person_event_action_role"),)
    event_id: Mapped[int] = mapped_column(ForeignKey("person_events.id"), primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class RosterImport(Base):
    """A starting roster: the office's own sheet of who held which post on one date.

    A source of its own kind, not a notice: it says "these people held these
    posts on ``as_of``", and each row starts a holding unless a notice already
    has the person in that post.
    """

    __tablename__ = "roster_imports"
    __table_args__ = (UniqueConstraint("content_hash", "as_of"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(400))  # how queries name it as a basis
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    rows: Mapped[list[RosterRow]] = relationship(back_populates="roster", order_by="RosterRow.row_number")


class RosterRow(Base):
    """One row of a roster: a name resolved to a person, holding a post on the roster's date."""

    __tablename__ = "roster_rows"
    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("roster_imports.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)  # the sheet's own row number, header = 1
    name: Mapped[str] = mapped_column(String(100))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    since: Mapped[date | None] = mapped_column(Date)  # 任职时间; NULL: not on the sheet
    document: Mapped[str | None] = mapped_column(String(60))  # 任职文号
    concurrent: Mapped[bool] = mapped_column(default=False)
    acting: Mapped[bool] = mapped_column(default=False)
    probation_until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")  # 备注 as written
    roster: Mapped[RosterImport] = relationship(back_populates="rows")
    organization: Mapped[Organization] = relationship()


class Holding(Base):
    """A person holds a post over [since, until), as the registry said over [known_from, known_until)."""

    __tablename__ = "holdings"
    __table_args__ = (
        CheckConstraint("since IS NULL OR until IS NULL OR until > since", name="holding_ends_after_start"),
        CheckConstraint("start_action_id IS NOT NULL OR start_roster_row_id IS NOT NULL", name="holding_has_a_source"),
        CheckConstraint("known_until IS NULL OR known_until > known_from", name="holding_known_until_after_from"),
        CheckConstraint(one_of("end_reason", END_REASONS, nullable=True), name="holding_end_reason"),
        Index("ix_holdings_org_asof", "org_id", "since", "until"),
        Index("ix_holdings_post_asof", "post_id", "since", "until"),
        Index("ix_holdings_person", "person_id"),
        # The order of a post's current rows: how many are ranked, and who comes after a holder.
        Index("ix_holdings_post_rank", "post_id", "position",
              sqlite_where=text("known_until IS NULL"), postgresql_where=text("known_until IS NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    concurrent: Mapped[bool] = mapped_column(default=False)
    acting: Mapped[bool] = mapped_column(default=False)
    inferred: Mapped[bool] = mapped_column(default=False)
    probation_until: Mapped[date | None] = mapped_column(Date)
    secondment: Mapped[str | None] = mapped_column(String(100))
    ranked_after_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # A holding starts with a notice's action or, for a starting roster, with one of its rows.
    start_action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"))
    start_roster_row_id: Mapped[int | None] = mapped_column(ForeignKey("roster_rows.id"))
    end_action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"))
    end_reason: Mapped[str | None] = mapped_column(String(30))
    known_from: Mapped[datetime] = mapped_column(DateTime, default=server_now())
    known_until: Mapped[datetime | None] = mapped_column(DateTime)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    post: Mapped[Post] = relationship()
    ranked_after: Mapped[Person | None] = relationship(foreign_keys=[ranked_after_person_id])
    start_action: Mapped[Action | None] = relationship(foreign_keys=[start_action_id])
    start_roster_row: Mapped[RosterRow | None] = relationship(foreign_keys=[start_roster_row_id])
    end_action: Mapped[Action | None] = relationship(foreign_keys=[end_action_id])

    @property
    def start_known(self) -> bool:
        return self.since is not None


# No two current holdings of one person in one post share a date ([since, until),
# NULL open).  PostgreSQL checks it at commit (deferred), so that a re-derivation
# may close and open rows in any order; SQLite cannot defer a trigger, so the
# derivation closes rows before it opens new ones (``derive.sync``).
Holding.__table__.append_constraint(ExcludeConstraint(
    (Holding.__table__.c.person_id, "="),
    (Holding.__table__.c.post_id, "="),
    (func.daterange(Holding.__table__.c.since, Holding.__table__.c.until, literal_column("'[)'")), "&&"),
    name="holding_no_overlap", using="gist", where=text("known_until IS NULL"),
    deferrable=True, initially="DEFERRED",
).ddl_if(dialect="postgresql"))

# The operator classes that let a gist index compare integers with "=".
event.listen(Holding.__table__, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS btree_gist").execute_if(dialect="postgresql"))

_OVERLAPPING_CURRENT_HOLDING = """
    SELECT RAISE(ABORT, 'holding_no_overlap: two current holdings of one person in one post share a date')
    WHERE EXISTS (
        SELECT 1 FROM holdings AS other
        WHERE other.known_until IS NULL AND other.id IS NOT NEW.id
          AND other.person_id = NEW.person_id AND other.post_id = NEW.post_id
          AND (other.since IS NULL OR NEW.until IS NULL OR other.since < NEW.until)
          AND (NEW.since IS NULL OR other.until IS NULL OR NEW.since < other.until)
    );
"""
SQLITE_TRIGGERS = {
    "holding_no_overlap_insert": (
        "CREATE TRIGGER holding_no_overlap_insert BEFORE INSERT ON holdings "
        f"FOR EACH ROW WHEN NEW.known_until IS NULL BEGIN {_OVERLAPPING_CURRENT_HOLDING} END"
    ),
    "holding_no_overlap_update": (
        "CREATE TRIGGER holding_no_overlap_update "
        "BEFORE UPDATE OF person_id, post_id, since, until, known_until ON holdings "
        f"FOR EACH ROW WHEN NEW.known_until IS NULL BEGIN {_OVERLAPPING_CURRENT_HOLDING} END"
    ),
}
for _statement in SQLITE_TRIGGERS.values():
    event.listen(Holding.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
