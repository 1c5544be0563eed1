"""Province scale: each operation of the registry beside the plain SQL (or parsing) that answers it.

Builds a synthetic registry (organizations with decades of appointments and
removals, ranked deputies, probations) with the real derivation, then, for
each operation, times the registry and a baseline in the same run, on the same
database, alternating the two, and prints both medians and their ratio:

- roster, who-held, history, people NAME: the registry's answer against one
  hand-written SQL statement with the same joins, run on the DB-API cursor;
- batch intake of N generated notices into an empty registry (or, with ``--merges M``, one that
  holds M identity merges of other people): against parsing the same notices alone; afterwards
  (untimed) a whole rebuild of that registry must give the same holdings as the batch derived
  notice by notice;
- rebuild (an empty holdings table derived again from the notices): against one
  re-derivation pass over every organization;
- check (its findings read as ``check --format json`` writes them, one at a time): against one
  plain-SQL pass over every current holding with its names;
- merge, split and undo of two namesakes in different organizations: against the
  least any of them must do, the event (or its undoing) written by hand and one
  re-derivation of the organizations of the two people's actions (found by one
  plain query).  Each runs in a transaction that is rolled back, so the archive
  stays as it was: a split and an undo first merge the two (untimed, in the same
  transaction), a split then moves the other's holding back.  Both sides return
  the two people's holdings after the change.

It asserts that the registry and the baseline return the same rows (the same
holdings, people and notice numbers); it asserts no time.  ``tests/test_bench.py``
runs it at a small scale.

    python benchmarks/bench_scale.py                      # 100,000 holdings, a temporary SQLite file
    python benchmarks/bench_scale.py --holdings 1000000   # province scale
    python benchmarks/bench_scale.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test
    python benchmarks/bench_scale.py --only roster,history --repeat 9

On PostgreSQL the benchmark works in a schema of its own (bench_…), dropped at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, delete, func, insert, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from registry import derive, queries, reports  # noqa: E402
from registry import people as peoplemod  # noqa: E402
from registry.db import backup_sqlite, create_schema, make_engine, reading, refresh_statistics, writing  # noqa: E402
from registry.errors import NotFound  # noqa: E402
from registry.intake import Source, record_batch  # noqa: E402
from registry.models import (  # noqa: E402
    Action, Holding, Notice, NoticeVersion, Organization, Person, PersonEvent, PersonEventAction, utcnow,
)
from registry.record import read_notice  # noqa: E402
from registry.text import content_hash  # noqa: E402
from registry.timerules import clock  # noqa: E402

HOLDINGS_PER_ORG = 500
TITLES = ["局长"] + ["副局长"] * 4 + ["主任科员"] * 2
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["次仁", "扎西", "尼玛", "罗布", "卓玛", "建华", "秀兰", "小华", "平措", "多吉", "旺堆", "德吉"]
OPERATIONS = ("roster", "who-held", "history", "people", "merge", "split", "undo", "intake", "rebuild", "check")


# -- the synthetic archive ------------------------------------------------------------

def build(engine, holdings: int, seed: int = 7) -> tuple[int, int]:
    """Insert organizations, notices, people and actions in bulk; return (orgs, actions)."""
    rng = random.Random(seed)
    orgs = max(1, holdings // HOLDINGS_PER_ORG)
    per_org = min(HOLDINGS_PER_ORG, holdings)
    with writing(engine) as session:
        session.execute(insert(Organization), [{"name": f"市第{i}局", "created_at": utcnow()} for i in range(orgs)])
    with reading(engine) as session:
        org_ids = list(session.scalars(select(Organization.id).order_by(Organization.id)))

    notice_seq: dict[int, int] = {}
    total_actions = 0
    statistics = _Statistics(engine)
    for done, org_id in enumerate(org_ids):
        statistics.after(done)
        # Each organization: a timeline of notices, each appointing and removing people.
        events: dict[date, list[dict]] = {}
        people = []
        day = date(1990, 1, 1)
        for _ in range(per_org):
            day += timedelta(days=rng.randint(10, 40))
            title = rng.choice(TITLES)
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            people.append({"name": name, "created_at": utcnow()})
            person_index = len(people) - 1
            events.setdefault(day, []).append({"kind": "appoint", "person": person_index, "title": title,
                                               "probation": 12 if rng.random() < 0.3 else None})
            end = day + timedelta(days=rng.randint(300, 3000))
            if end < date(2026, 1, 1):
                events.setdefault(end, []).append({"kind": "remove", "person": person_index, "title": title})
        with writing(engine) as session:
            first_person = session.scalar(select(func.coalesce(func.max(Person.id), 0))) + 1
            session.execute(insert(Person), people)
            notices, versions, actions = [], [], []
            for on in sorted(events):
                year = on.year
                notice_seq[year] = notice_seq.get(year, 0) + 1
                notices.append({"number": f"林政发〔{year}〕{notice_seq[year]}号", "series": "林政发",
                                "year": year, "seq": notice_seq[year]})
            session.execute(insert(Notice), notices)
            numbers = [n["number"] for n in notices]
            ids = dict(session.execute(select(Notice.number, Notice.id).where(Notice.number.in_(numbers))).all())
            now = utcnow()
            for on, number in zip(sorted(events), numbers):
                versions.append({"notice_id": ids[number], "version": 1, "date": on, "text": number,
                                 "content_hash": content_hash(number), "recorded_at": now, "recorded_by": "bench"})
            session.execute(insert(NoticeVersion), versions)
            vids = dict(session.execute(
                select(NoticeVersion.notice_id, NoticeVersion.id).where(NoticeVersion.notice_id.in_(ids.values()))
            ).all())
            for on, number in zip(sorted(events), numbers):
                for seq, event in enumerate(events[on], start=1):
                    actions.append({
                        "version_id": vids[ids[number]], "seq": seq, "kind": event["kind"], "clause": "",
                        "name": people[event["person"]]["name"], "person_id": first_person + event["person"],
                        "org_id": org_id, "title": event["title"], "concurrent": False, "acting": False,
                        "probation_months": event.get("probation"),
                    })
            session.execute(insert(Action), actions)
            total_actions += len(actions)
    return orgs, total_actions


class _Statistics:
    """The planner's statistics, refreshed each time the organizations done so far doubled (from
    16), as a batch import refreshes them: on PostgreSQL, without them, each organization's
    lookups were planned for the tables as they stood empty, and read them whole (a 1M build
    took 48 minutes)."""

    def __init__(self, engine):
        self.engine, self.next = engine, 16

    def after(self, done: int) -> None:
        if done >= self.next:
            with self.engine.begin() as connection:
                refresh_statistics(connection)
            while self.next <= done:
                self.next *= 2


def derive_all(engine) -> None:
    with reading(engine) as session:
        org_ids = list(session.scalars(select(Organization.id)))
    statistics = _Statistics(engine)
    for chunk in range(0, len(org_ids), 50):
        statistics.after(chunk)
        with writing(engine) as session:
            derive.rederive(session, org_ids[chunk:chunk + 50], utcnow())
    with writing(engine) as session:
        # The registry keeps the last recorded time it handed out (every write does): without it,
        # each write would look for it across every table, as in a registry written by 0.1.0.
        clock(session)


_DIGITS = "零一二三四五六七八九"
_NOTICE = """林芝市人民政府
关于{first}等同志任免职的通知

林政发〔{year}〕{seq}号

各县（区）人民政府，市各委、办、局：

经研究，决定：

{clauses}。

林芝市人民政府

{year}年{month}月{day}日
"""


def generated_notices(count: int, orgs: int = 20, seed: int = 3) -> list[str]:
    """``count`` notices, one a day from 2000 on: two appointments each (a third of the deputies
    ranked after a deputy already there, 列X之后) and, from the second notice on, the removal of
    someone appointed earlier in that organization; every name unique."""
    rng = random.Random(seed)
    holders: dict[int, list[tuple[str, str]]] = {}
    serial = 0
    texts = []
    day = date(2000, 1, 3)
    for n in range(1, count + 1):
        clauses, first = [], None
        before = {org: list(held) for org, held in holders.items()}
        for _ in range(2):
            serial += 1
            name = "测" + "".join(_DIGITS[int(d)] for d in str(serial))
            org, title = rng.randrange(orgs), rng.choice(TITLES)
            if (name, title) in holders.get(org, []):
                continue
            probation = "（试用期1年）" if rng.random() < 0.3 else ""
            peers = [peer for peer, held in before.get(org, []) if held == title == "副局长"]
            after = f"（列{rng.choice(peers)}之后）" if peers and rng.random() < 0.35 else ""
            clauses.append(f"{name}任市第{org}局{title}{probation}{after}")
            holders.setdefault(org, []).append((name, title))
            first = first or name
        org = rng.randrange(orgs)
        if len(holders.get(org, [])) > 3:
            name, title = holders[org].pop(0)
            clauses.append(f"免去{name}的市第{org}局{title}职务")
        texts.append(_NOTICE.format(first=first, year=day.year, seq=n, clauses="；\n\n".join(clauses),
                                    month=day.month, day=day.day))
        day += timedelta(days=1)
    return texts


# -- databases ------------------------------------------------------------------------

@contextmanager
def database(db: str | None, label: str) -> Iterator[str]:
    """A database of its own: a file in a temporary folder, or a PostgreSQL schema in ``db``
    (dropped afterwards)."""
    if db is None:
        folder = Path(tempfile.mkdtemp(prefix="registry-bench-"))
        try:
            yield str(folder / f"{label}.db")
        finally:
            for file in folder.glob("*"):
                file.unlink()
            folder.rmdir()
        return
    schema = f"bench_{label.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(db)
    with admin.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in db else "?"
    try:
        yield f"{db}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


class Plain:
    """Plain SQL on the DB-API cursor, with qmark placeholders on both backends."""

    def __init__(self, engine):
        self.raw = engine.raw_connection()
        self.postgres = engine.dialect.name == "postgresql"

    def rows(self, sql: str, *params) -> list[tuple]:
        if self.postgres:
            sql = sql.replace("?", "%s")
        else:
            params = tuple(p.isoformat() if isinstance(p, date) else p for p in params)
        cursor = self.raw.cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchall()
        finally:
            cursor.close()
            if self.postgres:
                self.raw.rollback()  # no transaction left open between questions

    def count(self, sql: str) -> int:
        """The number of rows, read a batch at a time (a pass, not a list of every row; on PostgreSQL
        through a server-side cursor, which a plain one would not be: it receives every row at once)."""
        if self.postgres:
            setting = self.raw.cursor()
            setting.execute("SET LOCAL cursor_tuple_fraction = 1")  # planned for every row, as check's passes
            setting.close()
        cursor = self.raw.cursor(name="bench_pass") if self.postgres else self.raw.cursor()
        try:
            cursor.execute(sql)
            count = 0
            while batch := cursor.fetchmany(5000):
                count += len(batch)
            return count
        finally:
            cursor.close()
            if self.postgres:
                self.raw.rollback()

    def close(self) -> None:
        self.raw.close()


# The registry's holding query, by hand: the same joins, the same current-rows and as-of tests.
HOLDINGS_SQL = """
SELECT p.id, p.name, o.name, po.title, h.since, h.until, COALESCE(sn.number, ri.label), en.number, ap.name, h.id
FROM holdings h
JOIN people p ON h.person_id = p.id
JOIN posts po ON h.post_id = po.id
JOIN organizations o ON h.org_id = o.id
LEFT JOIN actions sa ON h.start_action_id = sa.id
LEFT JOIN notice_versions sv ON sa.version_id = sv.id
LEFT JOIN notices sn ON sv.notice_id = sn.id
LEFT JOIN roster_rows rr ON h.start_roster_row_id = rr.id
LEFT JOIN roster_imports ri ON rr.import_id = ri.id
LEFT JOIN actions ea ON h.end_action_id = ea.id
LEFT JOIN notice_versions ev ON ea.version_id = ev.id
LEFT JOIN notices en ON ev.notice_id = en.id
LEFT JOIN people ap ON h.ranked_after_person_id = ap.id
WHERE h.known_until IS NULL AND {where}
"""
AS_OF = "(h.since IS NULL OR h.since <= ?) AND (h.until IS NULL OR h.until > ?)"
ORG = "h.org_id = (SELECT id FROM organizations WHERE name = ?)"
ROSTER_SQL = HOLDINGS_SQL.format(where=f"{ORG} AND {AS_OF}")
WHO_HELD_SQL = HOLDINGS_SQL.format(where=f"{ORG} AND po.title = ? AND {AS_OF}")
HISTORY_SQL = HOLDINGS_SQL.format(where="p.name = ?")
PEOPLE_HOLDINGS_SQL = """
SELECT h.id, h.person_id FROM holdings h JOIN people p ON h.person_id = p.id
JOIN posts po ON h.post_id = po.id JOIN organizations o ON h.org_id = o.id
WHERE p.name = ? AND h.known_until IS NULL
"""
PEOPLE_NOTICES_SQL = """
SELECT p.id, n.number FROM people p JOIN actions a ON a.person_id = p.id
JOIN notice_versions v ON a.version_id = v.id JOIN notices n ON v.notice_id = n.id
WHERE p.name = ? AND v.superseded_at IS NULL
UNION
SELECT p.id, n.number FROM people p JOIN actions a ON a.ranked_after_person_id = p.id
JOIN notice_versions v ON a.version_id = v.id JOIN notices n ON v.notice_id = n.id
WHERE p.name = ? AND v.superseded_at IS NULL
"""
CHECK_SQL = """
SELECT h.id, p.name, o.name, po.title, COALESCE(sv.date, ri.as_of), sv.notice_id, ev.notice_id
FROM holdings h JOIN people p ON h.person_id = p.id JOIN organizations o ON h.org_id = o.id
JOIN posts po ON h.post_id = po.id
LEFT JOIN actions sa ON h.start_action_id = sa.id LEFT JOIN notice_versions sv ON sa.version_id = sv.id
LEFT JOIN roster_rows rr ON h.start_roster_row_id = rr.id LEFT JOIN roster_imports ri ON rr.import_id = ri.id
LEFT JOIN actions ea ON h.end_action_id = ea.id LEFT JOIN notice_versions ev ON ea.version_id = ev.id
WHERE h.known_until IS NULL
"""


def iso(value) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else value


# -- measuring ------------------------------------------------------------------------

@dataclass
class Operation:
    """An operation and its baseline.  ``questions`` gives the arguments of one sample (the
    same for both); ``registry`` and ``baseline`` each answer one and return a comparable value;
    ``setup`` (untimed) prepares an argument before each timed call."""

    name: str
    baseline_label: str
    questions: Callable[[random.Random], list]
    registry: Callable[[Any], Any]
    baseline: Callable[[Any], Any]
    setup: Callable[[Any], Any] | None = None
    teardown: Callable[[Any], None] | None = None
    per: str = "question"


@dataclass
class Result:
    operation: str
    baseline_label: str
    registry_ms: float
    baseline_ms: float
    samples: int
    per: str
    note: str = ""
    peak_mib: float = 0.0  # the process's peak memory once the operation was measured

    @property
    def ratio(self) -> float:
        return self.registry_ms / self.baseline_ms if self.baseline_ms else float("inf")


def measure(op: Operation, repeat: int, rng: random.Random) -> Result:
    """Alternate registry and baseline ``repeat`` times over the same questions; every answer
    of the registry must equal the baseline's."""
    registry_ms, baseline_ms = [], []
    for sample in range(repeat):
        questions = op.questions(rng)
        answers: dict[str, list] = {}
        order = [("baseline", op.baseline), ("registry", op.registry)]
        if sample % 2:
            order.reverse()
        for side, fn in order:
            elapsed, got = 0.0, []
            for question in questions:
                prepared = op.setup(question) if op.setup else question
                start = time.perf_counter()
                got.append(fn(prepared))
                elapsed += time.perf_counter() - start
                if op.teardown:
                    op.teardown(prepared)
            answers[side] = got
            (registry_ms if side == "registry" else baseline_ms).append(elapsed * 1000 / max(1, len(questions)))
        for question, mine, theirs in zip(questions, answers["registry"], answers["baseline"]):
            if mine != theirs:
                raise AssertionError(f"{op.name} {question!r}: the registry answered {mine!r}, "
                                     f"the baseline {theirs!r}")
    return Result(op.name, op.baseline_label, statistics.median(registry_ms), statistics.median(baseline_ms),
                  repeat, op.per)


# -- the operations -------------------------------------------------------------------

def query_operations(engine, plain: Plain, orgs: int, batch: int) -> list[Operation]:
    names = [f"市第{i}局" for i in range(orgs)]

    def any_date(rng) -> date:
        return date(1990, 1, 1) + timedelta(days=rng.randint(0, 36 * 365))

    def any_name(rng) -> str:
        return rng.choice(SURNAMES) + rng.choice(GIVEN)

    session = Session(engine)

    def roster(q):
        data = queries.roster(session, q[0], q[1])
        return sorted((m["person_id"], m["title"], m["since"], m["basis"], m["ranked_after"]) for m in data["members"])

    def roster_plain(q):
        return sorted((r[0], r[3], iso(r[4]), r[6], r[8]) for r in plain.rows(ROSTER_SQL, q[0], q[1], q[1]))

    def who_held(q):
        data = queries.who_held(session, q[0], "副局长", q[1])
        return sorted((m["person_id"], m["since"], m["until"], m["basis"]) for m in data["holders"])

    def who_held_plain(q):
        return sorted((r[0], iso(r[4]), iso(r[5]), r[6]) for r in plain.rows(WHO_HELD_SQL, q[0], "副局长", q[1], q[1]))

    def history(name):
        try:
            data = queries.history(session, name)
        except NotFound:
            return []
        return sorted((p["person_id"], h["organization"], h["title"], h["since"], h["until"])
                      for p in data["people"] for h in p["holdings"])

    def history_plain(name):
        return sorted((r[0], r[2], r[3], iso(r[4]), iso(r[5])) for r in plain.rows(HISTORY_SQL, name))

    def people(name):
        try:
            data = peoplemod.people(session, name)
        except NotFound:
            return [], []
        return (sorted((h["holding_id"], p["person_id"]) for p in data["people"] for h in p["holdings"]),
                sorted((p["person_id"], n) for p in data["people"] for n in p["notices"]))

    def people_plain(name):
        return (sorted(tuple(r) for r in plain.rows(PEOPLE_HOLDINGS_SQL, name)),
                sorted(tuple(r) for r in plain.rows(PEOPLE_NOTICES_SQL, name, name)))

    def end(_):
        session.rollback()  # each question in a transaction of its own, as each command is

    return [
        Operation("roster", "plain SQL", lambda rng: [(rng.choice(names), any_date(rng)) for _ in range(batch)],
                  roster, roster_plain, teardown=end),
        Operation("who-held", "plain SQL", lambda rng: [(rng.choice(names), any_date(rng)) for _ in range(batch)],
                  who_held, who_held_plain, teardown=end),
        Operation("history", "plain SQL", lambda rng: [any_name(rng) for _ in range(max(1, batch // 4))],
                  history, history_plain, teardown=end),
        Operation("people", "plain SQL", lambda rng: [any_name(rng)], people, people_plain, teardown=end),
    ]


def identity_operations(engine, batch: int) -> list[Operation]:
    """merge, split and undo, each beside the event written by hand and one re-derivation of the
    organizations concerned; every change is rolled back (see the module's docstring)."""

    def namesakes(rng) -> tuple[int, int]:
        """Two people of one name holding posts in two organizations (the kept one first)."""
        with reading(engine) as session:
            while True:
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                rows = session.execute(
                    select(Person.id, Holding.org_id).join(Holding, Holding.person_id == Person.id)
                    .where(Person.name == name, Holding.known_until.is_(None)).order_by(Person.id)
                ).all()
                orgs = {}
                for person, org in rows:
                    orgs.setdefault(org, person)
                if len(orgs) >= 2:
                    kept, other = rng.sample(sorted(orgs.values()), 2)
                    return kept, other

    def pairs(rng) -> list[tuple[int, int]]:
        return [namesakes(rng) for _ in range(max(1, batch // 4))]

    def transaction():
        # As ``db.writing`` opens it (without the writer lock: nobody else writes here).
        session = Session(engine.execution_options(registry_write=True))
        session.begin()
        return session

    def merged(pair):
        session = transaction()
        kept, other = pair
        event = peoplemod.merge(session, kept, other, "bench", by="bench")
        session.flush()
        return session, kept, other, event

    def opened(pair):
        return (transaction(), *pair)

    def finish(prepared):
        session = prepared[0]
        session.rollback()
        session.close()

    def holdings(session, first: int, second: int) -> tuple[list, list]:
        """Each person's current holdings, as (post, since, until)."""
        rows = session.execute(
            select(Holding.person_id, Holding.post_id, Holding.since, Holding.until)
            .where(Holding.person_id.in_([first, second]), Holding.known_until.is_(None))
        ).all()
        return tuple(sorted((r.post_id, r.since, r.until) for r in rows if r.person_id == p) for p in (first, second))

    def rederive(session, people: list[int], now) -> None:
        orgs = session.scalars(
            select(Action.org_id).distinct()
            .where(Action.person_id.in_(people) | Action.ranked_after_person_id.in_(people))
        ).all()
        derive.rederive(session, orgs, now)

    def merge(prepared):
        session, kept, other = prepared
        peoplemod.merge(session, kept, other, "bench", by="bench")
        return holdings(session, kept, other)

    def merge_by_hand(prepared):
        session, kept, other = prepared
        now = clock(session)
        session.add(PersonEvent(kind="merge", person_id=kept, other_person_id=other, reason="bench",
                                recorded_at=now, recorded_by="bench"))
        session.flush()
        rederive(session, [kept, other], now)
        return holdings(session, kept, other)

    def moving(session, kept: int, other: int) -> Holding:
        """The holding the merge gave the kept person from the other's organization."""
        org = session.scalar(select(Action.org_id).where(Action.person_id == other).limit(1))
        return session.scalars(select(Holding).where(Holding.person_id == kept, Holding.org_id == org,
                                                     Holding.known_until.is_(None))).one()

    def split(prepared):
        session, kept, _other, _event = prepared
        event = peoplemod.split(session, kept, [moving(session, kept, _other).id], "bench", by="bench")
        return holdings(session, kept, event.other_person_id)

    def split_by_hand(prepared):
        session, kept, other, _event = prepared
        holding = moving(session, kept, other)
        now = clock(session)
        new = Person(name=session.get(Person, kept).name, created_at=now)
        session.add(new)
        session.flush()
        links = [PersonEventAction(action_id=action, role="subject")
                 for action in (holding.start_action_id, holding.end_action_id) if action is not None]
        session.add(PersonEvent(kind="split", person_id=kept, other_person_id=new.id, reason="bench",
                                recorded_at=now, recorded_by="bench", links=links))
        session.flush()
        rederive(session, [kept, other], now)
        return holdings(session, kept, new.id)

    def undo(prepared):
        session, kept, other, event = prepared
        peoplemod.undo(session, event.id, "bench", by="bench")
        return holdings(session, kept, other)

    def undo_by_hand(prepared):
        session, kept, other, event = prepared
        now = clock(session)
        event.undone_at, event.undone_by, event.undo_reason = now, "bench", "bench"
        session.flush()
        rederive(session, [kept, other], now)
        return holdings(session, kept, other)

    label = "event by hand, one re-derivation"
    return [
        Operation("merge", label, pairs, merge, merge_by_hand, setup=opened, teardown=finish),
        Operation("split", label, pairs, split, split_by_hand, setup=merged, teardown=finish),
        Operation("undo", label, pairs, undo, undo_by_hand, setup=merged, teardown=finish),
    ]


def check_operation(engine, plain: Plain) -> Operation:
    def registry(_):
        # As ``check --format json`` reads them: one at a time, as they are found (``reports.check``
        # holds them all, and the synthetic archive gives about two for each holding).
        errors = []
        with reading(engine) as session:
            for level, finding in reports.check_findings(session):
                if level == "error" and len(errors) < 3:
                    errors.append(finding)
        # The generated archive breaks no rule; its warnings are the namesakes and heads it holds.
        assert not errors, errors
        with reading(engine) as session:
            return session.scalar(select(func.count(Holding.id)).where(Holding.known_until.is_(None)))

    return Operation("check", "one plain-SQL pass over the holdings", lambda rng: [None], registry,
                     lambda _: plain.count(CHECK_SQL), per="run")


def rebuild_operation(engine) -> Operation:
    """rebuild into an empty holdings table, against one re-derivation pass; both are rolled back.

    Both are compared with the holdings before, as a digest of a streamed pass, taken when the
    operation is first measured: a list of every holding, built with the operations, held a 1M
    archive's holdings in memory (about 480 MiB) through every other operation as well."""
    expected: list[str] = []

    def emptied(_):
        if not expected:
            with reading(engine) as session:
                expected.append(_current(session))
        session = Session(engine)
        session.execute(delete(Holding))
        return session

    def finish(session):
        session.rollback()
        session.close()

    def registry(session):
        derive.rebuild(session)
        return _current(session) == expected[0]

    def baseline(session):
        now = utcnow()
        derive.rederive(session, session.scalars(select(Organization.id)).all(), now)
        return _current(session) == expected[0]

    return Operation("rebuild", "one re-derivation pass", lambda rng: [None], registry, baseline,
                     setup=emptied, teardown=finish, per="run")


def _same_after_a_rebuild(engine) -> None:
    """The holdings a batch derived notice by notice (most by ``derive.extend``, from the rows
    already there) are the ones a whole rebuild derives from the same notices: every answer the
    same before and after, on one archive.  Untimed; the rebuild is rolled back."""
    columns = [getattr(Holding, name) for name in (
        "person_id", "post_id", "since", "until", "start_action_id", "concurrent", "acting", "inferred",
        "probation_until", "secondment", "ranked_after_person_id", "position", "end_action_id", "end_reason",
        "start_roster_row_id")]
    current = select(*columns).where(Holding.known_until.is_(None))
    session = Session(engine)
    try:
        before = sorted(session.execute(current).all(), key=repr)
        derive.rebuild(session)
        after = sorted(session.execute(current).all(), key=repr)
    finally:
        session.rollback()
        session.close()
    if before != after:
        changed = sorted(set(before) ^ set(after), key=repr)[:3]
        raise AssertionError(f"intake: a rebuild of the batch's registry changes {len(set(before) ^ set(after))} "
                             f"holdings, e.g. {changed}")


def _current(session) -> str:
    """A digest of every current holding (person, post, span, rank), read in one streamed pass."""
    digest = hashlib.sha256()
    rows = session.connection().execute(
        select(Holding.person_id, Holding.post_id, Holding.since, Holding.until, Holding.position)
        .where(Holding.known_until.is_(None))
        .order_by(Holding.person_id, Holding.post_id, Holding.since, Holding.until, Holding.position),
        execution_options={"yield_per": 5000},
    )
    for row in rows:
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def intake_operation(db: str | None, count: int, notes: list[str], merges: int = 0) -> Operation:
    """A batch of ``count`` generated notices into an empty registry, against parsing them alone.
    ``merges``: the registry holds that many merges first (of people the notices never name), as
    an office's identity work leaves them; a notice's cost must not grow with them."""
    texts = generated_notices(count)
    stack: list = []

    def fresh(_):
        context = database(db, "intake")
        url = context.__enter__()
        engine = make_engine(url)
        create_schema(engine)
        if merges:
            _merged_people(engine, merges)
        stack.append((context, engine))
        return engine

    def drop(_):
        context, engine = stack.pop()
        _same_after_a_rebuild(engine)
        engine.dispose()
        context.__exit__(None, None, None)

    def registry(engine):
        stamps, memory = [], []

        def progress(_):
            stamps.append(time.perf_counter())
            memory.append(peak_mib())

        sources = [Source(f"notice-{i}", data) for i, data in enumerate(texts)]
        summary = record_batch(engine, sources, recorded_by="bench", progress=progress)
        assert not summary.refused, summary.refused[0].error
        tenth = max(1, len(stamps) // 10)
        first = (stamps[tenth] - stamps[0]) / tenth
        last = (stamps[-1] - stamps[-1 - tenth]) / tenth
        notes.append((f"into a registry holding {merges} merges; " if merges else "") +
                     f"per notice, first 10% {first * 1000:.1f} ms, last 10% {last * 1000:.1f} ms "
                     f"({last / first:.2f}×); peak memory after 10% of the batch {memory[tenth]:.0f} MiB, "
                     f"at its end {memory[-1]:.0f} MiB")
        with reading(engine) as session:
            return len(summary.recorded), session.scalar(select(func.count(Action.id)))

    def baseline(_):
        parsed = [read_notice(data)[1] for data in texts]
        return len(parsed), sum(len(p.actions) for p in parsed)

    return Operation("intake", "parsing alone", lambda rng: [None], registry, baseline,
                     setup=fresh, teardown=drop, per=f"batch of {count}")


# -- the run --------------------------------------------------------------------------

def _merged_people(engine, merges: int) -> None:
    """``merges`` pairs of people (named 并档…, which no generated notice names), each pair merged,
    recorded an hour ago, every tenth merge then undone."""
    earlier = utcnow() - timedelta(hours=1)
    people = Person.__table__
    with writing(engine) as session:
        ids = [session.execute(insert(people).returning(people.c.id),
                               {"name": f"并档{i}", "created_at": earlier}).scalar_one() for i in range(2 * merges)]
        session.execute(insert(PersonEvent.__table__), [
            {"kind": "merge", "person_id": ids[2 * i], "other_person_id": ids[2 * i + 1], "reason": "bench",
             "recorded_at": earlier + timedelta(microseconds=i),
             "undone_at": earlier + timedelta(seconds=1, microseconds=i) if i % 10 == 0 else None,
             "undone_by": "bench" if i % 10 == 0 else None, "undo_reason": "bench" if i % 10 == 0 else None}
            for i in range(merges)
        ])


def run(db: str | None, holdings: int, *, notices: int = 2000, repeat: int = 5, slow_repeat: int = 3,
        batch: int = 20, only: tuple[str, ...] = OPERATIONS, merges: int = 0, keep: str | None = None,
        out=print) -> list[Result]:
    """Build an archive of ``holdings`` in a database of its own and measure ``only``; return the results.
    ``keep``: a file to copy the archive to at the end (SQLite), for ``bench_startup.py --large``."""
    results: list[Result] = []
    rng = random.Random(11)
    with database(db, "archive") as url:
        engine = make_engine(url)
        create_schema(engine)
        backend = engine.dialect.name
        out(f"backend: {backend}; {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}")
        start = time.perf_counter()
        orgs, actions = build(engine, holdings)
        derive_all(engine)
        with reading(engine) as session:
            count = session.scalar(select(func.count(Holding.id)))
        out(f"built {orgs} organizations, {actions} actions, {count} holdings in {time.perf_counter() - start:.1f} s "
            f"(peak memory so far {peak_mib():.0f} MiB)")
        with engine.begin() as conn:
            refresh_statistics(conn)  # as a batch import leaves it
        plain = Plain(engine)
        try:
            operations = query_operations(engine, plain, orgs, batch) + identity_operations(engine, batch)
            operations += [rebuild_operation(engine), check_operation(engine, plain)]
            notes: list[str] = []
            operations.append(intake_operation(db, notices, notes, merges))
            by_name = {op.name: op for op in operations}
            for name in only:
                op = by_name[name]
                times = repeat if op.per == "question" else slow_repeat
                result = measure(op, times, rng)
                if name == "intake":
                    result.note = "; ".join(notes)
                result.peak_mib = peak_mib()
                results.append(result)
                out(line(result))
            if keep:
                backup_sqlite(engine, Path(keep))
                out(f"archive kept in {keep}")
        finally:
            plain.close()
            engine.dispose()
    return results


def peak_mib() -> float:
    """The process's peak resident memory so far, in MiB (Linux gives ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def line(r: Result) -> str:
    text = (f"{r.operation:<10} registry {r.registry_ms:10.2f} ms   {r.baseline_label:<38} {r.baseline_ms:10.2f} ms"
            f"   ratio {r.ratio:6.2f}×   (median of {r.samples}, per {r.per}; peak memory so far {r.peak_mib:.0f} MiB)")
    return text + (f"\n{'':<10} {r.note}" if r.note else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holdings", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="SQLAlchemy URL of a PostgreSQL database (the benchmark makes "
                                                   "schemas of its own in it); default: temporary SQLite files")
    parser.add_argument("--notices", type=int, default=2000, help="the size of the intake batch")
    parser.add_argument("--repeat", type=int, default=7, help="samples of each query (alternating)")
    parser.add_argument("--slow-repeat", type=int, default=3, help="samples of intake, rebuild and check")
    parser.add_argument("--batch", type=int, default=20, help="questions per query sample")
    parser.add_argument("--only", default=",".join(OPERATIONS), help=f"a comma-separated subset of {OPERATIONS}")
    parser.add_argument("--keep", metavar="FILE", help="copy the built archive to FILE at the end (SQLite only)")
    parser.add_argument("--merges", type=int, default=0,
                        help="identity merges the intake registry holds before its batch (people it never names)")
    args = parser.parse_args()
    if args.keep and args.db:
        parser.error("--keep copies a SQLite archive; on PostgreSQL, keep a schema yourself")
    only = tuple(name.strip() for name in args.only.split(",") if name.strip())
    unknown = [name for name in only if name not in OPERATIONS]
    if unknown:
        parser.error(f"unknown operation {unknown[0]}; choose from {', '.join(OPERATIONS)}")
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {args.holdings} holdings")
    run(args.db, args.holdings, notices=args.notices, repeat=args.repeat, slow_repeat=args.slow_repeat,
        batch=args.batch, only=only, merges=args.merges, keep=args.keep)


if __name__ == "__main__":
    main()
