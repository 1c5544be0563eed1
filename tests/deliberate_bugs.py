"""Put each deliberate bug of issue 14's audit into a copy of the tree and list the tests that fail.

The audit found that the suite missed bugs in the rules the registry exists for.  This script
keeps that audit repeatable: each bug below is a small edit of the code, put into a fresh copy of
this working tree (the tree itself is never touched); the fast tests then run on SQLite and the
tests that failed are listed.  A bug no test notices is printed as MISSED and the script exits
with 1; a bug whose code has moved (its text is no longer found) exits with 2, naming it, so that
the edit is written again rather than silently skipped.

    python tests/deliberate_bugs.py              # every bug, one after the other
    python tests/deliberate_bugs.py --only 10    # one of them (numbered as listed by --list)

Not collected by pytest (its name does not start with test_) and not run in CI: it runs the fast
tests once per bug, about a minute each on the development machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FAST_TESTS = [
    "tests/test_domain_rules.py", "tests/test_rules.py", "tests/test_roster.py", "tests/test_backfill.py",
    "tests/test_rebuild.py", "tests/test_order.py", "tests/test_people.py", "tests/test_finding_people.py",
    "tests/test_reports.py", "tests/test_corrections.py", "tests/test_extend.py", "tests/test_record_forms.py",
]

# (what the bug does, file, [(text, replacement), ...]); each text must occur in the file.
BUGS = [
    ("an ambiguous removal (two people of that name hold the post) picks the lowest id instead of refusing",
     "registry/record.py",
     [("""            people = sorted({h.person_id for h in self._known_holders(action.name, org, action.title)})
            if len(people) > 1:""",
       """            people = sorted({h.person_id for h in self._known_holders(action.name, org, action.title)})
            if False:""")]),
    ("a removal ignores the title when choosing among holders in the organization",
     "registry/record.py",
     [("people = sorted({h.person_id for h in self._known_holders(action.name, org, action.title)})",
       "people = sorted({h.person_id for h in self._known_holders(action.name, org, None)})")]),
    ("the probation end computed as 365 days a year instead of calendar years",
     "registry/timerules.py",
     [("    return on + relativedelta(months=months) if months else None",
       "    return on + timedelta(days=365 * months // 12) if months else None")]),
    ("probation --known-at ignores --known-at",
     "registry/reports.py",
     [("""    rows = holding_rows(session, probation_covers(on),
                        known_at=known_at,""",
       """    rows = holding_rows(session, probation_covers(on),
                        known_at=None,""")]),
    ("orgs --known-at ignores --known-at",
     "registry/queries.py",
     [("select(Holding.org_id, func.count(Holding.id)).where(known(known_at))",
       "select(Holding.org_id, func.count(Holding.id)).where(known(None))")]),
    ("changes shows a retracted notice's acts",
     "registry/reports.py",
     [(".where(version_shown(at), in_period(NoticeVersion.date, start, end))",
       ".where(version_shown(at) | (NoticeVersion.supersede_kind == 'retracted'), "
       "in_period(NoticeVersion.date, start, end))")]),
    ("undo/split may leave one person holding a post twice (the clash refusal removed)",
     "registry/people.py",
     [("            if clash[1:] not in previous:", "            if False:")]),
    ("a merge naming an already-absorbed record is accepted",
     "registry/people.py",
     [("""        root = before.find(person.id)
        if root != person.id:""", """        root = before.find(person.id)
        if False:""")]),
    ("the refusal of a removal on the day of the appointment removed from derivation",
     "registry/derive.py",
     [("""            elif draft.since == on:
                raise NoticeError""", """            elif False:
                raise NoticeError""")]),
    ("列X之后 appends instead of inserting after X (whole replay)",
     "registry/derive.py",
     [("""        order = self.ranking[title]
        order.insert(order.index(anchor) + 1, draft)""", """        order = self.ranking[title]
        order.append(draft)""")]),
    ("列X之后 appends instead of inserting after X (the incremental derivation of a latest notice)",
     "registry/derive.py",
     [("""    def place_after(self, title: str, anchor: Draft, draft: Draft) -> None:
        self.take(self.session.connection().execute(_BELOW""", """    def place_after(self, title: str, anchor: Draft, draft: Draft) -> None:
        return self.place_last(title, draft)
        self.take(self.session.connection().execute(_BELOW""")]),
]


def copy_tree(target: Path) -> None:
    ignored = shutil.ignore_patterns(".git", ".venv*", "mutants", "__pycache__", "*.egg-info", "build", ".hypothesis")
    shutil.copytree(ROOT, target, ignore=ignored)


def run_one(tree: Path, number: int) -> tuple[str, list[str]]:
    """('caught' | 'MISSED' | 'MOVED', the failing tests) for bug ``number`` (from 1)."""
    _label, path, edits = BUGS[number - 1]
    source = tree / path
    original = source.read_text(encoding="utf-8")
    text = original
    for old, new in edits:
        if old not in text:
            return "MOVED", []
        text = text.replace(old, new)
    source.write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("REGISTRY_TEST_POSTGRES_URL", "MUTANT_UNDER_TEST")}
    try:
        out = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-rf", *FAST_TESTS],
            cwd=tree, capture_output=True, text=True, env=env,
        )
    finally:
        source.write_text(original, encoding="utf-8")
    failed = sorted(set(re.findall(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", out.stdout, re.M)))
    return ("caught" if failed else "MISSED"), failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", type=int, action="append", help="the bug's number (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the bugs and exit")
    args = parser.parse_args()
    if args.list:
        for number, (label, path, _edits) in enumerate(BUGS, start=1):
            print(f"{number:2}  {path}: {label}")
        return 0
    chosen = args.only or range(1, len(BUGS) + 1)
    worst = 0
    with tempfile.TemporaryDirectory(prefix="deliberate-bugs-") as folder:
        tree = Path(folder) / "tree"
        copy_tree(tree)
        for number in chosen:
            outcome, failed = run_one(tree, number)
            print(f"{number:2} {outcome}: {BUGS[number - 1][0]}", flush=True)
            for test in failed:
                print(f"     {test}", flush=True)
            worst = max(worst, {"caught": 0, "MISSED": 1, "MOVED": 2}[outcome])
    return worst


if __name__ == "__main__":
    sys.exit(main())
