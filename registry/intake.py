"""Adding notices from files: ordering a batch, one transaction per notice, previews.

Each notice is recorded whole in its own transaction or not at all.  A batch
is recorded in date and number order, whatever order the files were named in.
A preview runs the very same code in a transaction that is rolled back, so it
shows exactly what recording would do, new people and organizations included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from .db import writing
from .errors import RegistryError
from .parse import ParsedNotice, parse_notice
from .record import Outcome, PlannedAction, add_notice
from .text import decode


class _Rollback(Exception):
    pass


@dataclass
class Source:
    label: str
    data: bytes
    parsed: ParsedNotice | None = None
    error: str | None = None
    outcome: Outcome | None = None

    @property
    def order(self) -> tuple:
        p = self.parsed
        return (0, p.date, p.series, p.year, p.seq) if p else (1,)


def read_sources(paths: Iterable[str], stdin: Callable[[], bytes] | None = None) -> list[Source]:
    """Files, directories (their *.txt files) or '-' for standard input."""
    sources: list[Source] = []
    for name in paths:
        if name == "-":
            sources.append(Source("<stdin>", stdin() if stdin else b""))
            continue
        path = Path(name)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".txt")
            if not files:
                raise RegistryError(f"the directory {name} holds no .txt notices")
            sources += [Source(str(p), p.read_bytes()) for p in files]
        elif path.is_file():
            sources.append(Source(str(path), path.read_bytes()))
        else:
            raise RegistryError(f"no file or directory called {name}")
    return sources


def order_batch(sources: list[Source]) -> list[Source]:
    """Parse each source (no database) and sort by notice date and number; unreadable ones last."""
    for source in sources:
        try:
            source.parsed = parse_notice(decode(source.data))
        except RegistryError as error:
            source.error = str(error)
    return sorted(sources, key=lambda s: s.order)


def record(engine: Engine, source: Source, *, dry_run: bool = False, links=None, recorded_by: str = "") -> Outcome:
    """Record (or, with dry_run, preview) one notice in its own transaction."""
    outcome: Outcome | None = None
    for attempt in range(3):
        try:
            with writing(engine) as session:
                outcome = add_notice(session, source.data, recorded_by=recorded_by, links=links)
                if dry_run:
                    raise _Rollback
        except _Rollback:
            pass
        except (IntegrityError, OperationalError):
            # Another writer recorded the same number (or held the lock too long) first:
            # look again; the second look says "already recorded" or refuses.
            if attempt == 2:
                raise RegistryError("the registry is busy with another writer; nothing was recorded, try again")
            continue
        break
    assert outcome is not None
    return outcome


def plan_signature(plan: list[PlannedAction]) -> list[tuple]:
    """What a clerk confirmed in a preview: who each name is, which organization, which post."""
    return [
        (s.parsed.kind, s.parsed.name, None if s.person_new else s.person_id, s.org_name, s.org_new,
         s.parsed.title, None if s.ranked_after_new else s.ranked_after_person_id)
        for s in plan
    ]


def record_confirmed(engine: Engine, source: Source, confirmed: list[tuple], *, links=None,
                     recorded_by: str = "") -> Outcome:
    """Record a previewed notice, refusing if the registry changed what the preview showed."""
    with writing(engine) as session:
        outcome = add_notice(session, source.data, recorded_by=recorded_by, links=links)
        if outcome.status == "recorded" and plan_signature(outcome.plan) != confirmed:
            raise RegistryError(
                f"the registry changed since the preview of {outcome.notice.number}; nothing was recorded, run again"
            )
    return outcome


@dataclass
class BatchSummary:
    recorded: list[Source] = field(default_factory=list)
    already: list[Source] = field(default_factory=list)
    refused: list[Source] = field(default_factory=list)


def record_batch(engine: Engine, sources: list[Source], *, dry_run: bool = False, links=None,
                 recorded_by: str = "", progress: Callable[[Source], None] | None = None) -> BatchSummary:
    """Record each notice atomically, in date and number order.

    A dry run previews the batch as a whole (later notices see earlier ones)
    and then rolls all of it back.
    """
    summary = BatchSummary()
    ordered = order_batch(sources)

    def run(session_factory):
        for source in ordered:
            if source.error is None:
                try:
                    source.outcome = session_factory(source)
                except RegistryError as error:
                    source.error = str(error)
            if source.error is not None:
                summary.refused.append(source)
            elif source.outcome.status == "already recorded":
                summary.already.append(source)
            else:
                summary.recorded.append(source)
            if progress:
                progress(source)

    if dry_run:
        try:
            with writing(engine) as session:
                def preview(source: Source) -> Outcome:
                    nested = session.begin_nested()
                    try:
                        outcome = add_notice(session, source.data, recorded_by=recorded_by, links=links)
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
        run(lambda source: record(engine, source, links=links, recorded_by=recorded_by))
    return summary
