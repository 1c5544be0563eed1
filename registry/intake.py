"""Adding notices from files: ordering a batch, one transaction per notice, previews.

Each notice is recorded whole in its own transaction or not at all.  A batch
is recorded in date and number order, whatever order the files were named in.
A preview runs the very same code in a transaction that is rolled back, so it
shows exactly what recording would do, new people and organizations included.
A confirmed preview is recorded only if recording would still do the same.

A file may hold several documents (a gazette issue): ``registry.sources``
reads it (text, PDF or Word) and splits it, and each document becomes an item
of the batch, with where it came from (its provenance).  A document that is
not a personnel notice is skipped, and a file that cannot be read is refused,
without stopping the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from . import sources as documents
from .db import reading, refresh_statistics, writing
from .errors import NoticeError, RegistryError
from .parse import Heading, read_heading
from .record import Outcome, add_notice, check_links
from .text import check_size, decode
from .i18n import _

ATTEMPTS = 2  # a second look after a lost race for a document number; never a wait


class _Rollback(Exception):
    """Ends a preview's transaction; carries what the preview found."""

    def __init__(self, outcome: Outcome | None = None):
        super().__init__()
        self.outcome = outcome


@dataclass(frozen=True)
class Origin:
    """Where a notice's text came from: the file, the document's place in it (when the file
    holds several) and, for a PDF, the pages it spans."""

    file: str
    document: int | None = None
    pages: tuple[int, int] | None = None


@dataclass(eq=False)
class Source:
    """One item of a batch: a notice to record, a document to skip, or a file not read."""

    label: str
    data: bytes | str
    heading: Heading | None = None
    error: str | None = None
    outcome: Outcome | None = None
    origin: Origin | None = None
    refusal: str | None = None  # the file could not be read: refused before any reading of a notice
    skipped: str | None = None  # a document that is not a personnel notice, and why
    unread: str | None = None  # a file in a folder that is not read, and why
    number: str | None = None  # a document's number and title, as its heading gives them
    title: str = ""

    @property
    def name(self) -> str:
        """How a clerk knows a document: its number (where it has one) and its title."""
        return f"{self.number} {self.title}" if self.number else self.title

    @property
    def order(self) -> tuple:
        return (0, *self.heading.order) if self.heading else (1,)


def read_sources(paths: Iterable[str], stdin: Callable[[], bytes] | None = None) -> list[Source]:
    """Files, directories (their .txt, .pdf and .docx files, recursively) or '-' for standard input.

    A file is read by its content, whatever its name; each of its documents
    becomes one item.  In a directory, every other file is an item "not read".
    """
    sources: list[Source] = []
    for name in paths:
        if name == "-":
            sources += _file_items("<stdin>", "<stdin>", stdin() if stdin else b"")
            continue
        path = Path(name)
        try:
            if path.is_dir():
                files = sorted((p for p in path.rglob("*") if p.is_file()), key=lambda p: p.relative_to(path).parts)
                readable = [p for p in files if p.suffix.lower() in documents.READABLE_SUFFIXES]
                others = [p for p in files if p.suffix.lower() not in documents.READABLE_SUFFIXES]
                if not readable:
                    listed = _("; not read: {items}").format(items=', '.join(str(p) for p in others)) if others else ""
                    raise RegistryError(_("the directory {name} holds no .txt, .pdf or .docx files{listed}").format(name=name, listed=listed))
                for file in readable:
                    sources += _file_items(str(file), str(file.relative_to(path)), file.read_bytes())
                sources += [Source(str(file), b"", unread=_why_not_read(file)) for file in others]
            elif path.is_file():
                sources += _file_items(str(path), path.name, path.read_bytes())
            else:
                raise RegistryError(_("no file or directory called {name}").format(name=name))
        except OSError as error:
            raise RegistryError(_("cannot read {name}: {value}").format(name=name, value=error.strerror or error)) from None
    return sources


def _why_not_read(path: Path) -> str:
    if path.suffix.lower() == ".doc":
        return _("a Word 97-2003 .doc file; save it as .docx or PDF")
    return _("not a .txt, .pdf or .docx file")


def _file_items(label: str, file: str, data: bytes) -> list[Source]:
    """The items of one file: its documents, or the file itself, refused, when it cannot be read."""
    try:
        extracted, found = documents.documents_of(data, label)
    except NoticeError as error:
        return [Source(label, data, refusal=str(error), origin=Origin(file))]
    if len(found) == 1:
        # One notice, as it always was: read whole (a text file exactly as before).
        [document] = found
        return [Source(label, data if extracted.kind == "text" else document.text,
                       origin=Origin(file, None, document.pages))]
    items = []
    for document in found:
        where = _("document {position}").format(position=document.position)
        if document.pages:
            first, last = document.pages
            where += _(", page {first}").format(first=first) if first == last else _(", pages {first}-{last}").format(first=first, last=last)
        item = Source(f"{label} ({where})", document.text, origin=Origin(file, document.position, document.pages),
                      number=document.number, title=document.title)
        if not document.personnel:
            item.skipped = _(documents.NOT_PERSONNEL)
        items.append(item)
    return items


def order_batch(sources: list[Source]) -> list[Source]:
    """Sort by notice date and number, read from each heading alone; unreadable ones last.

    The clauses are read when each notice is recorded, with the organizations
    on record by then (a name run into an organization needs them).
    """
    for source in sources:
        source.heading = source.outcome = None
        source.error = source.refusal
        if source.refusal is not None or source.skipped is not None or source.unread is not None:
            continue
        try:
            check_size(source.data)  # before decoding: an oversized text costs nothing to refuse
            source.heading = read_heading(decode(source.data) if isinstance(source.data, bytes) else source.data)
        except RegistryError as error:
            source.error = str(error)
    return sorted(sources, key=lambda s: s.order)


def _busy(error: DBAPIError) -> bool:
    """Whether a database error means another writer held the registry too long."""
    code = getattr(error.orig, "sqlstate", None)
    if code in ("40001", "40P01", "55P03"):  # serialization failure, deadlock, lock not available
        return True
    message = str(error.orig).lower()
    return "locked" in message or "busy" in message


def _transaction(bind: Engine | Connection, work: Callable[[Session], Outcome], *, dry_run: bool = False) -> Outcome:
    """Run ``work`` in one write transaction: committed, or rolled back for a preview or a refusal.

    ``bind``: the engine, or the connection a batch keeps for its notices.  Waiting for another
    writer is bounded inside ``writing`` (busy or lock timeout); a writer that still cannot go
    is refused here, with no retry on top.
    """
    for attempt in range(ATTEMPTS):
        try:
            with writing(bind) as session:
                outcome = work(session)
                if dry_run:
                    raise _Rollback(outcome)
            return outcome
        except _Rollback as rollback:
            assert rollback.outcome is not None
            return rollback.outcome
        except IntegrityError:
            # Another writer recorded the same number first (should the writer lock ever be
            # bypassed): look again; the second look says "already recorded" or refuses.
            if attempt == ATTEMPTS - 1:
                raise
        except DBAPIError as error:
            if error.connection_invalidated and attempt < ATTEMPTS - 1:
                # The connection was lost (the server restarted, say): the work is done again on
                # a new one.  Had the lost transaction committed after all, the second look finds
                # the notice recorded.
                continue
            if not isinstance(error, OperationalError) or not _busy(error):
                raise
            raise RegistryError(_("the registry is busy with another writer; nothing was recorded, try again")) from None
    raise AssertionError("unreachable")


def _add(session: Session, source: Source, *, links=None, recorded_by: str = "") -> Outcome:
    """Record one notice in the caller's transaction, with where its text came from."""
    if source.refusal is not None:
        raise NoticeError(source.refusal)
    return add_notice(session, source.data, recorded_by=recorded_by, links=links, origin=source.origin)


def origin_json(origin: Origin | None) -> dict | None:
    """The "source" of a notice in JSON, as ``notices`` gives it."""
    if origin is None:
        return None
    return {"file": origin.file, "document": origin.document, "pages": list(origin.pages) if origin.pages else None}


def record(bind: Engine | Connection, source: Source, *, dry_run: bool = False, links=None,
           recorded_by: str = "") -> Outcome:
    """Record (or, with dry_run, preview) one notice in its own transaction (on ``bind``, the
    engine or a connection kept for a batch)."""
    return _transaction(bind, lambda session: _add(session, source, recorded_by=recorded_by, links=links),
                        dry_run=dry_run)


def plan_signature(outcome: Outcome, names: dict[int, tuple] | None = None) -> list[tuple]:
    """What a clerk confirmed in a preview: who each name is, which organization, which post.

    A person the notice creates has only a provisional id in a preview (the
    rolled-back id may be handed out again, or not, depending on the
    backend), so such a person is named by the notice and item that create
    them.  ``names`` carries those names from one notice of a batch to the
    next, so that a later notice may refer to a person an earlier one creates.
    """
    names = {} if names is None else names
    signature = []
    for index, step in enumerate(outcome.plan):
        if step.person_new:
            names[step.person_id] = ("new", outcome.notice.number, index)
        if step.ranked_after_new:
            names[step.ranked_after_person_id] = ("new, ranked after", outcome.notice.number, index)
        signature.append((
            step.parsed.kind, step.parsed.name, names.get(step.person_id, step.person_id), step.org_name,
            step.org_new, step.parsed.title, names.get(step.ranked_after_person_id, step.ranked_after_person_id),
        ))
    return signature


def record_confirmed(engine: Engine, source: Source, confirmed: list[tuple], *, links=None,
                     recorded_by: str = "", names: dict[int, tuple] | None = None) -> Outcome:
    """Record a previewed notice, refusing if the registry changed what the preview showed."""
    seen = dict(names or {})

    def work(session: Session) -> Outcome:
        seen.clear()
        seen.update(names or {})
        outcome = _add(session, source, recorded_by=recorded_by, links=links)
        if outcome.status == "recorded" and plan_signature(outcome, seen) != confirmed:
            raise RegistryError(
                _("the registry changed since the preview of {number}; nothing was recorded, run again").format(number=outcome.notice.number)
            )
        return outcome

    outcome = _transaction(engine, work)
    if names is not None:
        names.update(seen)
    return outcome


@dataclass
class BatchSummary:
    ordered: list[Source] = field(default_factory=list)  # every source, in the order it was taken
    recorded: list[Source] = field(default_factory=list)
    already: list[Source] = field(default_factory=list)
    refused: list[Source] = field(default_factory=list)
    skipped: list[Source] = field(default_factory=list)  # documents that are not personnel notices
    unread: list[Source] = field(default_factory=list)  # files in a folder that were not read

    def file(self, source: Source) -> None:
        self.ordered.append(source)
        if source.unread is not None:
            self.unread.append(source)
        elif source.skipped is not None:
            self.skipped.append(source)
        elif source.error is not None:
            self.refused.append(source)
        elif source.outcome is not None and source.outcome.status == "already recorded":
            self.already.append(source)
        else:
            self.recorded.append(source)


def record_batch(engine: Engine, sources: list[Source], *, dry_run: bool = False, links=None,
                 recorded_by: str = "", progress: Callable[[Source], None] | None = None) -> BatchSummary:
    """Record each notice atomically, in date and number order.

    A refused notice does not stop the others.  A dry run previews the batch
    as a whole (later notices see earlier ones) and then rolls all of it back.
    """
    summary = BatchSummary()
    ordered = order_batch(sources)
    if links:
        # A wrong --person is a mistake in the command, not in one notice: refuse it before anything.
        with reading(engine) as session:
            check_links(session, links)

    def run(take: Callable[[Source], Outcome]) -> None:
        for source in ordered:
            if source.error is None and source.skipped is None and source.unread is None:
                try:
                    source.outcome = take(source)
                except RegistryError as error:
                    source.error = str(error)
            summary.file(source)
            if progress:
                progress(source)

    if dry_run:
        try:
            with writing(engine) as session:
                def preview(source: Source) -> Outcome:
                    nested = session.begin_nested()
                    try:
                        outcome = _add(session, source, recorded_by=recorded_by, links=links)
                    except RegistryError:
                        nested.rollback()
                        raise
                    nested.commit()
                    return outcome
                run(preview)
                raise _Rollback
        except _Rollback:
            pass
    else:
        # One connection for every notice (each still in a transaction of its own), not one
        # taken from the pool, checked and given back for each.
        with engine.connect() as connection:
            def take(source: Source) -> Outcome:
                outcome = record(connection, source, links=links, recorded_by=recorded_by)
                if len(summary.recorded) + 1 in _GROWN:
                    _refresh_statistics(engine)
                return outcome

            run(take)
        if summary.recorded:
            _refresh_statistics(engine)
    return summary


# A long batch refreshes the statistics as it goes, each time the notices it recorded doubled:
# a registry that starts empty is many times larger by the end, and plans made for the empty
# one (a scan of a table that was small) would slow every later notice.
_GROWN = frozenset(100 * 2 ** k for k in range(20))


def _refresh_statistics(engine: Engine) -> None:
    """After a batch, the planner's statistics (``db.refresh_statistics``), in a transaction of
    their own: the notices are recorded whatever becomes of it."""
    with engine.begin() as connection:
        refresh_statistics(connection)


def record_previewed(engine: Engine, preview: BatchSummary, *, links=None, recorded_by: str = "",
                     progress: Callable[[Source], None] | None = None) -> BatchSummary:
    """Record what a batch dry run showed, in the same order.

    Only the notices the preview would record are recorded, each in its own
    transaction and only if recording it still does what the preview showed;
    the preview's refusals and "already recorded" stand.
    """
    preview_names: dict[int, tuple] = {}
    confirmed = {id(s): plan_signature(s.outcome, preview_names) for s in preview.ordered if s in preview.recorded}
    names: dict[int, tuple] = {}
    summary = BatchSummary()
    for source in preview.ordered:
        if id(source) in confirmed:
            try:
                source.outcome = record_confirmed(engine, source, confirmed[id(source)], links=links,
                                                  recorded_by=recorded_by, names=names)
            except RegistryError as error:
                source.error = str(error)
        summary.file(source)
        if progress:
            progress(source)
    if summary.recorded:
        _refresh_statistics(engine)
    return summary
