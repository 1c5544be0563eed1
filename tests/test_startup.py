"""Start-up (issue 10, target 5): `import cli` and `registry --help` load no database or parser code.

The time itself is measured by benchmarks/bench_startup.py; these tests check the cause, in a fresh
interpreter, where nothing else has imported the heavy modules already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ["sqlalchemy", "alembic", "tabulate", "wcwidth", "registry.db", "registry.models", "registry.parse",
         "registry.queries", "pypdf", "docx", "openpyxl"]

LOADED = "import json, sys; print(json.dumps(sorted(m for m in sys.modules if m in {heavy!r} or m.split('.')[0] in {heavy!r})))"


def loaded_after(code: str, *args: str) -> list[str]:
    probe = f"{code}\n{LOADED.format(heavy=HEAVY)}"
    result = subprocess.run([sys.executable, "-c", probe, *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_import_cli_loads_no_heavy_module():
    assert loaded_after("import cli") == []


@pytest.mark.parametrize("args", [["--help"], [], ["-h"], ["export", "--help"], ["roster", "--help"]])
def test_help_loads_no_heavy_module(args):
    code = ("import cli\n"
            "try:\n    cli.cli.main(sys.argv[1:], prog_name='registry')\nexcept SystemExit as done:\n"
            "    assert done.code in (0, None), done.code\n")
    assert loaded_after("import sys\n" + code, *args) == []


def test_the_probe_sees_a_heavy_module_when_one_is_loaded():
    # Otherwise the tests above could pass by never seeing anything.
    assert {"registry.db", "registry.models", "sqlalchemy"} <= set(loaded_after("import cli, registry.db"))
