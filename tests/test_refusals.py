"""Refusals: what add-notice will not record, in one sentence, with the database untouched.

Every case runs on a registry holding the six bundled notices, through the
CLI, and checks the exit code, the exact message on stderr (one line, no
traceback), an empty stdout, and that the database is unchanged: every row
on both backends, and every byte of the file on SQLite.  Since no case may
change anything, the cases share one registry per backend (built once per
module), and each checks that it left it as it found it.

The property test at the end mutates the bundled notices (truncation,
splicing, dropped characters, punctuation width, page noise, encoding) and
asserts that every mutant is either refused cleanly or recorded, and then
that what it recorded are its own clauses, read right.  It runs on
SQLite only: each example needs a fresh copy of a seeded registry, which is a
file copy on SQLite but a full re-seed on PostgreSQL.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from conftest import BACKENDS, NOTICES, dump, file_bytes, seeded_database
from registry import db as dbmod
from registry.intake import read_sources, record_batch
from registry.models import Person

# The 2023 gazette the bundled notices come from, kept in the repository so that a clone alone runs the tests.
GAZETTE = Path(__file__).resolve().parent / "fixtures" / "gazette-2023-01.txt"


def make_notice(number: int, day: str, clauses: list[str], title: str = "关于干部任免的通知") -> str:
    """A notice in the Linzhi form, numbered 林政发〔2023〕N号."""
    body = "；\n\n".join(clauses)
    return (
        f"林芝市人民政府\n{title}\n\n林政发〔2023〕{number} 号\n\n各县（区）人民政府,市各委、办、局:\n\n"
        f"经中共林芝市人民政府党组 2023年第 2次会议研究,决定:\n\n{body}。\n\n林芝市人民政府\n\n{day}\n"
    )


def policy_notice() -> str:
    """林政办发〔2023〕3号 from the seed gazette: a notice that issues a regulation, not a personnel notice."""
    lines = GAZETTE.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if "关于印发《林芝市水土保" in line)
    end = next(i for i in range(start, len(lines)) if lines[i].strip() == "2023年 2月 3日")
    return "\n".join(lines[start: end + 1]) + "\n"


def person_id(engine, name: str) -> int:
    with engine.connect() as conn:
        ids = conn.scalars(select(Person.id).where(Person.name == name)).all()
    assert len(ids) == 1, ids
    return ids[0]


@pytest.fixture(scope="module", params=BACKENDS)
def shared(request, tmp_path_factory):
    """(url, engine) of a registry holding the bundled notices, one per backend, for cases that change nothing."""
    with seeded_database(request.param, tmp_path_factory.mktemp("shared")) as (url, engine):
        yield url, engine


def assert_refused(shared, data: bytes, tmp_path, message: str, *options: str):
    """add-notice refuses ``data`` with exactly ``message``, and nothing in the database changes."""
    from cli import cli

    url, engine = shared
    path = tmp_path / "notice.txt"
    path.write_bytes(data)
    before, raw = dump(engine), file_bytes(url)
    result = CliRunner().invoke(cli, ["--db", url, "add-notice", str(path), "--yes", *options],
                                catch_exceptions=False)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {message}\n")
    assert dump(engine) == before
    assert file_bytes(url) == raw


def bundled(n: int) -> str:
    return NOTICES[n].read_text(encoding="utf-8")


# (case, bytes of the file, message); each is refused on a registry holding the bundled notices.
CASES = [
    ("no number", bundled(2).replace("林政发〔2023〕2 号", "").encode(),
     "the text has no document number (such as 林政发〔2023〕2号)"),
    ("no date", make_notice(9, "", ["扎西任市水利局副局长"]).encode(),
     "林政发〔2023〕9号 has no date (such as 2023年2月6日)"),
    ("impossible date", make_notice(9, "2023年2月30日", ["扎西任市水利局副局长"]).encode(),
     "the date 2023年2月30日 is not a real date"),
    ("empty file", b"", "the file is empty"),
    ("blank file", b" \r\n\n\t \n", "the file is empty"),
    ("binary data", bytes(range(256)) * 4, "the file is binary data, not a text notice"),
    ("a PNG image", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "the file is binary data, not a text notice"),
    ("undecodable bytes", bundled(2).encode() + b"\xff\x80" * 8, "the file could not be decoded as UTF-8 or GB18030"),
    ("control characters", ("林政发〔2023〕9号" + "\x01\x02\x03\x04" * 20).encode(),
     "the file is binary data, not a text notice"),
    ("another kind of notice",
     make_notice(9, "2023年3月1日", ["现将《林芝市干部档案管理办法》印发给你们，请认真贯彻执行"],
                 title="关于印发《林芝市干部档案管理办法》的通知").encode(),
     "林政发〔2023〕9号 has no appointment or removal clause; it is not a personnel notice"),
    ("a clause not understood",
     make_notice(9, "2023年3月1日", ["格桑任市水利局副局长", "扎西负责市水利局全面工作",
                                     "免去王程的市水利局副局长职务"]).encode(),
     "cannot read the clause '扎西负责市水利局全面工作': expected a name and a verb (任, 任命…为, 免去, 兼任, 代理)"),
    ("the same number, other text", bundled(2).replace("李宁博任", "李宁任").encode(),
     "林政发〔2023〕2号 is already recorded with different text; use amend to correct it"),
    ("the same number, other text, GB18030", bundled(4).replace("雷增炎", "雷增").encode("gb18030"),
     "林政发〔2023〕4号 is already recorded with different text; use amend to correct it"),
    ("ranked after the appointee himself",
     make_notice(9, "2023年3月1日", ["格桑任市水利局副局长（列格桑之后）"]).encode(),
     "the clause '格桑任市水利局副局长（列格桑之后）' ranks 格桑 after themselves"),
]


@pytest.mark.parametrize("case,data,message", CASES, ids=[c[0] for c in CASES])
def test_refused(shared, tmp_path, case, data, message):
    assert_refused(shared, data, tmp_path, message)


def test_policy_notice_from_the_gazette(shared, tmp_path):
    """林政办发〔2023〕3号 issues a regulation; the 任 of its 责任 is not an appointment."""
    assert_refused(shared, policy_notice().encode(), tmp_path,
                   "林政办发〔2023〕3号 has no appointment or removal clause; it is not a personnel notice")


def test_appointing_someone_to_a_post_they_hold(shared, tmp_path):
    """李宁博 has been 市水利局副局长 since 2023-02-06; appointing him again is refused."""
    holder = person_id(shared[1], "李宁博")
    data = make_notice(9, "2023年3月6日", ["免去王程的市水利局副局长职务", "李宁博任市水利局副局长"]).encode()
    assert_refused(shared, data, tmp_path,
                   "林政发〔2023〕9号 appoints 李宁博 as 副局长 on 2023-03-06, a post they already hold",
                   "--person", f"李宁博={holder}")


def test_a_refused_notice_leaves_no_trace_for_the_next(seeded, cli_run, db_url, tmp_path):
    """After a refusal mid-notice, a correct notice records exactly as on a fresh registry."""
    bad = make_notice(9, "2023年3月1日", ["格桑任市新能源局局长", "扎西负责市新能源局全面工作"])
    good = make_notice(9, "2023年3月1日", ["格桑任市新能源局局长"])
    (tmp_path / "bad.txt").write_text(bad, encoding="utf-8")
    (tmp_path / "good.txt").write_text(good, encoding="utf-8")
    assert cli_run("add-notice", str(tmp_path / "bad.txt"), "--yes").exit_code == 1
    result = cli_run("add-notice", str(tmp_path / "good.txt"), "--yes", "--format", "json")
    assert result.exit_code == 0, result.stderr
    roster = cli_run("roster", "市新能源局", "--as-of", "2023-03-01", "--format", "json")
    assert [(m["name"], m["title"]) for m in json.loads(roster.stdout)["members"]] == [("格桑", "局长")]


# -- no input produces a traceback -------------------------------------------------

NOISE = ["2023 年·第一期 市政府文件", "— 29 —", "- 3 -", "第 2 页", "   ", "\u3000"]
PUNCTUATION = {"，": ",", "；": ";", "：": ":", "（": "(", "）": ")"}


@st.composite
def mutants(draw) -> tuple[int, bytes]:
    """A bundled notice, mutated one to three times, in one of the encodings in use."""
    number = draw(st.sampled_from(sorted(NOTICES)))
    text = bundled(number)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["truncate", "splice", "drop", "swap", "noise", "duplicate"]))
        if kind == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
        elif kind == "splice":
            other = bundled(draw(st.sampled_from(sorted(NOTICES))))
            text = text[: draw(st.integers(0, len(text)))] + other[draw(st.integers(0, len(other))):]
        elif kind == "drop":
            for _ in range(draw(st.integers(1, 5))):
                if text:
                    at = draw(st.integers(0, len(text) - 1))
                    text = text[:at] + text[at + draw(st.integers(1, 4)):]
        elif kind == "swap":
            to_ascii = draw(st.booleans())
            table = PUNCTUATION if to_ascii else {v: k for k, v in PUNCTUATION.items()}
            every = draw(st.integers(1, 3))  # swap every mark, every other one, or every third
            text = "".join(table.get(ch, ch) if i % every == 0 else ch for i, ch in enumerate(text))
        elif kind == "noise":
            lines = text.split("\n")
            at = draw(st.integers(0, len(lines)))
            lines.insert(at, draw(st.sampled_from(NOISE)))
            text = "\n".join(lines)
        else:  # a clause repeated, or a character doubled
            if text:
                at = draw(st.integers(0, len(text) - 1))
                length = draw(st.integers(1, 40))
                text = text[:at] + text[at: at + length] + text[at:]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    return number, text.encode(encoding)


def _plain(text: str) -> str:
    """Text without whitespace, with ASCII punctuation written full width: the form clauses are kept in."""
    return "".join(PUNCTUATION_WIDE.get(ch, ch) for ch in text if not ch.isspace())


PUNCTUATION_WIDE = {v: k for k, v in PUNCTUATION.items()}


def _is_subsequence(part: str, whole: str) -> bool:
    rest = iter(whole)
    return all(ch in rest for ch in part)


def assert_recorded_what_it_says(conn, data: bytes, last_line: str) -> None:
    """A recorded mutant recorded its own clauses: the number of actions it reported, each read
    from a clause of the mutant's text (page noise dropped), naming the clause's person, post,
    organization, verb and qualifiers."""
    number, count = re.fullmatch(r"(\S+) recorded: (\d+) actions?", last_line).groups()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = _plain(data.decode(encoding))
            break
        except UnicodeDecodeError:
            continue
    rows = conn.execute(
        "SELECT a.kind, a.name, a.title, a.clause, o.name, a.ranked_after_name, a.probation_months, n.number "
        "FROM actions a JOIN organizations o ON o.id = a.org_id JOIN notice_versions v ON v.id = a.version_id "
        "JOIN notices n ON n.id = v.notice_id WHERE v.id = (SELECT max(id) FROM notice_versions) ORDER BY a.seq"
    ).fetchall()
    assert len(rows) == int(count) > 0, (last_line, rows)
    seq = re.search(r"(\d+)号$", number)[1]
    assert {row[7] for row in rows} == {number} and re.search(rf"2023[〕\]]{seq}号", text), (number, text)
    for kind, name, title, clause, org, after, months, _ in rows:
        assert _is_subsequence(_plain(clause), text), (clause, text)
        assert name in clause and title in clause and org.removeprefix("市") in clause, (name, title, org, clause)
        if kind == "remove":
            assert re.search("免去|辞去", clause), clause
        else:
            assert re.search(rf"{name}(同志)?(兼任|担任|代理|任)|任命", clause), clause
        assert (after is None) or f"列{after}之后" in clause, (after, clause)
        assert (months is None) == ("试用期" not in clause) or kind == "remove", (months, clause)


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    """SQLite registries holding every bundled notice but one, by the number left out (built on demand)."""
    root = tmp_path_factory.mktemp("templates")
    built: dict[int, str] = {}

    def get(left_out: int) -> str:
        if left_out not in built:
            path = str(root / f"without-{left_out}.db")
            engine = dbmod.make_engine(path)
            dbmod.create_schema(engine)
            record_batch(engine, read_sources(str(p) for n, p in NOTICES.items() if n != left_out))
            engine.dispose()
            built[left_out] = path
        return built[left_out]

    return root, get


_example = itertools.count()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutant=mutants())
def test_no_input_gives_a_traceback(templates, mutant):
    from cli import cli

    root, template = templates
    left_out, data = mutant
    n = next(_example)
    db, path = root / f"example-{n}.db", root / f"example-{n}.txt"
    shutil.copyfile(template(left_out), db)
    path.write_bytes(data)
    before = db.read_bytes()
    result = CliRunner().invoke(cli, ["--db", str(db), "add-notice", str(path), "--yes"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1), (result.exit_code, result.stderr)
    assert "unexpected failure" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    if result.exit_code == 1 and len(lines) == 1:  # one document, refused whole
        assert result.stdout == "" and lines[0].startswith("Error: "), result.stderr
        assert db.read_bytes() == before
    elif result.exit_code == 1:
        # A repeated heading makes the text several documents: a batch, each refused or recorded alone.
        summary = re.fullmatch(r"(\d+) recorded, (\d+) already recorded, (\d+) refused", lines[-1])
        # A recorded document may warn (a holder known only from 列X之后, say) before the summary.
        refusals = [line for line in lines[:-1] if not line.startswith("warning: ")]
        assert summary and int(summary[3]) == len(refusals) >= 1, result.stderr
        assert all(line.startswith(f"refused {path} (document ") for line in refusals), result.stderr
        recorded = [line for line in result.stdout.splitlines() if " recorded: " in line]
        assert len(recorded) == int(summary[1]), (result.stdout, result.stderr)
        if not recorded:
            assert db.read_bytes() == before
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            if len(recorded) == 1:
                assert_recorded_what_it_says(conn, data, recorded[0])
    else:
        last = result.stdout.splitlines()[-1]
        assert last.endswith(("already recorded",)) or " recorded: " in last, result.stdout
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            if " recorded: " in last:
                assert_recorded_what_it_says(conn, data, last)
    db.unlink()
    path.unlink()
