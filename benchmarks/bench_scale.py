"""Province-scale figures: derivation throughput and as-of query latency.

Builds a synthetic registry (organizations with decades of appointments and
removals, ranked deputies, probations), derives its holdings with the real
code, then times the office's questions.  It reports figures; it asserts none.

    python benchmarks/bench_scale.py                      # 100,000 holdings, temporary SQLite file
    python benchmarks/bench_scale.py --holdings 1000000   # province scale
    python benchmarks/bench_scale.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, select, func

from registry import derive, queries
from registry.db import create_schema, make_engine, reading, writing
from registry.models import Action, Base, Holding, Notice, NoticeVersion, Organization, Person, utcnow
from registry.record import add_notice

HOLDINGS_PER_ORG = 500
TITLES = ["局长"] + ["副局长"] * 4 + ["主任科员"] * 2
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["次仁", "扎西", "尼玛", "罗布", "卓玛", "建华", "秀兰", "小华", "平措", "多吉", "旺堆", "德吉"]


def build(engine, holdings: int, seed: int = 7) -> tuple[int, int]:
    """Insert organizations, notices, people and actions in bulk; return (orgs, actions)."""
    rng = random.Random(seed)
    orgs = max(1, holdings // HOLDINGS_PER_ORG)
    with writing(engine) as session:
        session.execute(insert(Organization), [{"name": f"市第{i}局", "created_at": utcnow()} for i in range(orgs)])
    with reading(engine) as session:
        org_ids = list(session.scalars(select(Organization.id).order_by(Organization.id)))

    notice_seq: dict[int, int] = {}
    total_actions = 0
    for org_id in org_ids:
        # Each organization: a timeline of notices, each appointing and removing people.
        events: dict[date, list[dict]] = {}
        people = []
        day = date(1990, 1, 1)
        for _ in range(HOLDINGS_PER_ORG):
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
                                 "content_hash": number, "recorded_at": now, "recorded_by": "bench"})
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


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(label: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(f"{label:<38} median {statistics.median(samples):8.2f} ms   p95 {p95:8.2f} ms   (n={len(samples)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holdings", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="SQLite path or SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    db = args.db or str(Path(tempfile.mkdtemp()) / "bench.db")
    engine = make_engine(db)
    Base.metadata.drop_all(engine)
    create_schema(engine)
    print(f"database: {engine.url.render_as_string(hide_password=True)}")

    start = time.perf_counter()
    orgs, actions = build(engine, args.holdings)
    print(f"built {orgs} organizations, {actions} actions in {time.perf_counter() - start:.1f} s")

    start = time.perf_counter()
    with reading(engine) as session:
        org_ids = list(session.scalars(select(Organization.id)))
    for chunk in range(0, len(org_ids), 50):
        with writing(engine) as session:
            derive.rederive(session, org_ids[chunk:chunk + 50], utcnow())
    elapsed = time.perf_counter() - start
    with reading(engine) as session:
        holdings = session.scalar(select(func.count(Holding.id)))
    print(f"derived {holdings} holdings in {elapsed:.1f} s ({holdings / elapsed:,.0f} holdings/s)")

    rng = random.Random(11)
    names = [f"市第{i}局" for i in range(orgs)]

    def any_date() -> date:
        return date(1990, 1, 1) + timedelta(days=rng.randint(0, 36 * 365))

    with reading(engine) as session:
        report("roster ORG --as-of D", timed(lambda: queries.roster(session, rng.choice(names), any_date()), args.queries))
        report("who-held ORG 副局长 --on D",
               timed(lambda: queries.who_held(session, rng.choice(names), "副局长", any_date()), args.queries))
        report("history NAME", timed(lambda: queries.history(session, rng.choice(SURNAMES) + rng.choice(GIVEN)),
                                      max(10, args.queries // 10)))
        report("notices (whole listing)", timed(lambda: queries.notices(session), 3))

    notice = """林芝市人民政府
关于测试同志任职的通知
林政发〔2030〕{n}号
各县（区）人民政府，市各委、办、局：
经研究，决定：
测试{name}任市第{org}局副局长（试用期1年）。
林芝市人民政府
2030年1月{day}日
"""

    def add_one(counter=[0]):
        counter[0] += 1
        with writing(engine) as session:
            name = "".join("零一二三四五六七八九"[int(d)] for d in str(counter[0]))
            add_notice(session, notice.format(n=counter[0], name=name, org=rng.randrange(orgs), day=1 + counter[0] % 28))

    report("add-notice (one clause, big registry)", timed(add_one, 20))
    engine.dispose()


if __name__ == "__main__":
    main()
