"""A notice is recorded whole or not at all, even when the process dies or another writer is busy.

The CLI runs in a subprocess through a small wrapper that can report, on
stderr, the moment the write transaction has done all its work (every row
flushed, nothing committed yet) and can hold the transaction open there.
The kill test SIGKILLs the process at that very moment, and at seeded random
moments between taking the writer lock and committing; afterwards the registry
is exactly as before, and SQLite's integrity check passes; an unkilled run
records the whole notice.  The concurrency tests
start two writers at once (the first holds its transaction open for a while,
so the second really has to wait) on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import NOTICES, dump
from registry import db as dbmod
from registry.intake import read_sources, record_batch
from registry.models import Action, Holding, Notice, NoticeVersion, Organization, Person

ROOT = Path(__file__).resolve().parent.parent

# Runs the CLI, marking on stderr the moment a write transaction holds the writer lock
# ("registry-test: begun") and the moment its work is flushed, uncommitted ("registry-test: flushed").
# REGISTRY_TEST_HOLD=S then keeps the transaction open S more seconds.
WRAPPER = """
import contextlib, os, sys, time
import registry.intake as intake
def mark(what):
    sys.stderr.write("registry-test: " + what + "\\n")
    sys.stderr.flush()
begin, work = intake.writing, intake.add_notice
@contextlib.contextmanager
def writing(*args, **kwargs):
    with begin(*args, **kwargs) as session:
        mark("begun")
        yield session
def add_notice(*args, **kwargs):
    outcome = work(*args, **kwargs)
    mark("flushed")
    time.sleep(float(os.environ.get("REGISTRY_TEST_HOLD", "0")))
    return outcome
intake.writing, intake.add_notice = writing, add_notice
from cli import cli
cli(sys.argv[1:], prog_name="registry")
"""


def _environment(hold: float) -> dict:
    # The working tree first on the path, as pytest's own (pyproject's pythonpath): the
    # subprocess runs the same copy of the code as the test, never an installed one.
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return dict(os.environ, PYTHONPATH=path, REGISTRY_TEST_HOLD=str(hold), REGISTRY_USER="test")


def start(db: str, *args: str, hold: float = 0) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WRAPPER, "--db", db, *args], cwd=ROOT, env=_environment(hold),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_for(process: subprocess.Popen, mark: str) -> None:
    """Read the writer's stderr up to the mark (the rest stays in the pipe)."""
    while True:
        line = process.stderr.readline()
        if line == f"registry-test: {mark}\n":
            return
        if not line:
            raise AssertionError(f"the writer ended before {mark}: exit {process.wait()}")


def state(db: str) -> dict:
    """What a notice changes, without the recorded times: row counts and rosters."""
    engine = dbmod.make_engine(db)
    try:
        with engine.connect() as conn:
            counts = {
                model.__tablename__: conn.scalar(select(func.count()).select_from(model))
                for model in (Notice, NoticeVersion, Action, Person, Organization)
            }
            counts["current holdings"] = conn.scalar(
                select(func.count()).select_from(Holding).where(Holding.known_until.is_(None)))
        rosters = {}
        from cli import cli
        from click.testing import CliRunner

        for org in ("市卫生健康委员会", "市商务局", "市医疗保障局"):
            result = CliRunner().invoke(cli, ["--db", db, "roster", org, "--as-of", "2023-02-07",
                                              "--format", "json"])
            rosters[org] = [(m["name"], m["title"], m["since"]) for m in json.loads(result.stdout)["members"]] \
                if result.exit_code == 0 else result.stderr
        return {"counts": counts, "rosters": rosters}
    finally:
        engine.dispose()


def integrity(db: str) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def seed(db: str, numbers) -> None:
    engine = dbmod.make_engine(db)
    dbmod.create_schema(engine)
    summary = record_batch(engine, read_sources(str(NOTICES[n]) for n in numbers), recorded_by="test")
    assert len(summary.recorded) == len(numbers)
    engine.dispose()


def test_the_subprocesses_run_the_code_under_test():
    """The CLI the subprocess tests start imports the same files as this test process."""
    import cli
    import registry

    probe = subprocess.run(
        [sys.executable, "-c", "import cli, registry; print(cli.__file__); print(registry.__file__)"],
        cwd=ROOT, env=_environment(0), capture_output=True, text=True, timeout=60,
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.splitlines() == [cli.__file__, registry.__file__]
    assert Path(registry.__file__).resolve().parent == ROOT / "registry"


def test_sigkill_leaves_the_notice_whole_or_absent(tmp_path):
    """林政发〔2023〕3号 (14 actions, 11 organizations) added to a registry holding the other five."""
    template = str(tmp_path / "template.db")
    seed(template, [2, 4, 5, 6, 8])
    before_rows = dump_file(template)
    before = state(template)
    notice = str(NOTICES[3])

    # A run that is not killed gives the "whole notice" state.
    reference = str(tmp_path / "reference.db")
    shutil.copyfile(template, reference)
    done = start(reference, "add-notice", notice, "--yes")
    wait_for(done, "begun")
    began = time.monotonic()
    wait_for(done, "flushed")
    work = time.monotonic() - began  # how long the transaction takes to do its work
    _, err = done.communicate(timeout=60)
    assert done.returncode == 0, err
    after = state(reference)
    assert after["counts"]["notices"] == before["counts"]["notices"] + 1
    assert after["counts"]["actions"] == before["counts"]["actions"] + 14

    # Killed with every row flushed and nothing committed: as before, to the row.
    db = str(tmp_path / "killed.db")
    shutil.copyfile(template, db)
    process = start(db, "add-notice", notice, "--yes", hold=30)
    wait_for(process, "flushed")
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert integrity(db) == "ok"
    assert dump_file(db) == before_rows

    # Killed at seeded random moments inside the transaction: after it took the writer lock and
    # before it commits (it is held open after its work, so every kill lands in the transaction,
    # most of them mid-work).  Each leaves the registry as before, to the row.
    rng = random.Random(20230206)
    for trial in range(8):
        shutil.copyfile(template, db)
        process = start(db, "add-notice", notice, "--yes", hold=30)
        wait_for(process, "begun")
        time.sleep(rng.uniform(0, work * 1.2))
        assert process.poll() is None, trial  # still in the transaction
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
        assert integrity(db) == "ok", trial
        assert dump_file(db) == before_rows, trial
        assert state(db) == before, trial

    # A killed writer leaves nothing in the way of the next one.
    retry = start(db, "add-notice", notice, "--yes")
    _, err = retry.communicate(timeout=60)
    assert retry.returncode == 0, err
    assert state(db) == after


def dump_file(db: str) -> dict:
    engine = dbmod.make_engine(db)
    try:
        return dump(engine)
    finally:
        engine.dispose()


def make_notice(number: int, day: str, clauses: list[str]) -> str:
    body = "；\n\n".join(clauses)
    return (
        f"林芝市人民政府\n关于干部任免的通知\n\n林政发〔2023〕{number} 号\n\n各县（区）人民政府,市各委、办、局:\n\n"
        f"经中共林芝市人民政府党组 2023年第 2次会议研究,决定:\n\n{body}。\n\n林芝市人民政府\n\n{day}\n"
    )


def run_together(first: list[str], second: list[str], db: str, *, queued: bool = False):
    """Start two writers at once, each holding its transaction open a while once its work is done.

    ``queued``: start the second only once the first holds the writer lock, so that the first
    certainly goes first and the second certainly has to wait for it.
    """
    a = start(db, *first, hold=0.6)
    if queued:
        wait_for(a, "flushed")
    b = start(db, *second, hold=0.2)
    results = []
    for process, args in ((a, first), (b, second)):
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(args, process.returncode, out, err))
    return tuple(results)


def messages(result) -> list[str]:
    """What the CLI said on stderr, without the wrapper's marks and the preview's warnings."""
    return [line for line in result.stderr.splitlines() if not line.startswith(("registry-test:", "warning:"))]


def test_two_writers_on_one_organization(seeded, db_url, cli_run, tmp_path):
    removal = tmp_path / "9.txt"
    removal.write_text(make_notice(9, "2023年3月1日", ["免去胡秀兰的市卫生健康委员会副主任职务"]), encoding="utf-8")
    appointment = tmp_path / "10.txt"
    appointment.write_text(make_notice(10, "2023年3月1日", ["格桑任市卫生健康委员会副主任（试用期 1年）"]),
                           encoding="utf-8")
    first, second = run_together(["add-notice", str(removal), "--yes"],
                                 ["add-notice", str(appointment), "--yes"], db_url, queued=True)
    assert (first.returncode, messages(first)) == (0, []), first.stderr
    assert (second.returncode, messages(second)) == (0, []), second.stderr
    assert first.stdout.splitlines()[-1] == "林政发〔2023〕9号 recorded: 1 action"
    assert second.stdout.splitlines()[-1] == "林政发〔2023〕10号 recorded: 1 action"

    roster = json.loads(cli_run("roster", "卫健委", "--as-of", "2023-03-01", "--format", "json").stdout)
    assert [(m["name"], m["since"], m["probation_until"]) for m in roster["members"]] == [
        ("尼玛", None, None), ("罗布顿珠", "2023-02-06", None), ("格桑", "2023-03-01", "2024-03-01"),
    ]
    notices = json.loads(cli_run("notices", "--format", "json").stdout)
    assert [n["number"] for n in notices["notices"]][-2:] == ["林政发〔2023〕9号", "林政发〔2023〕10号"]
    assert_intact(seeded, db_url)


@pytest.mark.parametrize("queued", [False, True], ids=["at once", "queued"])
def test_the_same_notice_twice(seeded, db_url, tmp_path, queued):
    path = tmp_path / "9.txt"
    path.write_text(make_notice(9, "2023年3月1日", ["免去胡秀兰的市卫生健康委员会副主任职务",
                                                    "格桑任市卫生健康委员会副主任"]), encoding="utf-8")
    before = dump(seeded)
    results = run_together(["add-notice", str(path), "--yes"], ["add-notice", str(path), "--yes"], db_url,
                           queued=queued)
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    assert [messages(r) for r in results] == [[], []]
    last_lines = [r.stdout.splitlines()[-1] for r in results]
    if queued:
        assert last_lines == ["林政发〔2023〕9号 recorded: 2 actions", "林政发〔2023〕9号 already recorded"]
    else:
        assert sorted(last_lines) == ["林政发〔2023〕9号 already recorded", "林政发〔2023〕9号 recorded: 2 actions"]
    after = dump(seeded)
    assert len(after["notices"]) == len(before["notices"]) + 1
    assert len(after["actions"]) == len(before["actions"]) + 2
    assert_intact(seeded, db_url)


def test_a_refused_writer_does_not_disturb_the_other(seeded, db_url, cli_run, tmp_path):
    good = tmp_path / "9.txt"
    good.write_text(make_notice(9, "2023年3月1日", ["格桑任市卫生健康委员会副主任"]), encoding="utf-8")
    bad = tmp_path / "10.txt"
    bad.write_text(make_notice(10, "2023年3月1日", ["扎西任市卫生健康委员会副主任", "扎西负责全面工作"]),
                   encoding="utf-8")
    first, second = run_together(["add-notice", str(good), "--yes"], ["add-notice", str(bad), "--yes"], db_url)
    assert first.returncode == 0, first.stderr
    assert (second.returncode, messages(second)) == (1, ["Error: cannot read the clause '扎西负责全面工作': expected a name and a verb (任, 任命…为, 免去, 兼任, 代理)"])
    roster = json.loads(cli_run("roster", "卫健委", "--as-of", "2023-03-01", "--format", "json").stdout)
    assert [m["name"] for m in roster["members"]] == ["尼玛", "胡秀兰", "罗布顿珠", "格桑"]
    assert_intact(seeded, db_url)


def assert_intact(engine, db_url: str) -> None:
    """SQLite's integrity check passes; every notice has one version in force, with its actions."""
    if "://" not in db_url:
        assert integrity(db_url) == "ok"
    with engine.connect() as conn:
        in_force = conn.execute(
            select(NoticeVersion.notice_id, func.count()).where(NoticeVersion.superseded_at.is_(None))
            .group_by(NoticeVersion.notice_id)).all()
        assert sorted(count for _, count in in_force) == [1] * conn.scalar(select(func.count()).select_from(Notice))
        empty = conn.scalar(select(func.count()).select_from(NoticeVersion).where(
            ~select(Action.id).where(Action.version_id == NoticeVersion.id).exists()))
        assert empty == 0


def test_writers_queue_rather_than_fail(seeded, db_url, cli_run, tmp_path):
    """Three writers on a busy registry: each waits its turn (busy timeout, writer lock), none fails."""
    paths = []
    for n, name in enumerate(["格桑", "扎西", "达瓦"]):
        path = tmp_path / f"{20 + n}.txt"
        path.write_text(make_notice(20 + n, "2023年4月1日", [f"{name}任市新能源局副局长"]), encoding="utf-8")
        paths.append(path)
    holder = start(db_url, "add-notice", str(paths[0]), "--yes", hold=1.5)
    wait_for(holder, "flushed")
    others = [start(db_url, "add-notice", str(p), "--yes") for p in paths[1:]]
    for process in [holder, *others]:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    roster = json.loads(cli_run("roster", "市新能源局", "--as-of", "2023-04-01", "--format", "json").stdout)
    assert [m["name"] for m in roster["members"]] == ["格桑", "扎西", "达瓦"]
    # Each writer that waited recorded its time after the one it waited for (the clock is read
    # with the writer lock, as it stands once the lock is held).
    with seeded.connect() as conn:
        recorded = dict(conn.execute(select(Notice.seq, NoticeVersion.recorded_at)
                                     .join(NoticeVersion, NoticeVersion.notice_id == Notice.id)
                                     .where(Notice.seq.in_([20, 21, 22]))).all())
    assert recorded[20] < min(recorded[21], recorded[22]) and recorded[21] != recorded[22], recorded
    assert_intact(seeded, db_url)
