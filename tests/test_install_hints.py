"""A missing library names the command that installs it (issue 12, item 6).

Each test hides one library (``sys.modules[name] = None`` makes its import fail, as if it were not
installed) and checks the one-line refusal: an extra's library names the extra (``pip install
'registry[postgres]'``), an ordinary dependency its own package.  The ones that the code imports at
module level are hidden in a fresh interpreter, where nothing has imported them yet.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import dump, file_bytes
from registry.dependencies import LIBRARIES, MissingLibrary, load, sentence
from test_roster_import import ROWS, xlsx

ROOT = Path(__file__).resolve().parents[1]


def registry_without(modules: list[str], *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`registry ARGS` in a fresh interpreter in which ``modules`` cannot be imported."""
    hide = "".join(f"sys.modules[{name!r}] = None\n" for name in modules)
    code = f"import sys\n{hide}sys.argv[0] = 'registry'\nfrom cli import main\nmain()\n"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=env)


@pytest.mark.parametrize("url, message", [
    ("postgresql+psycopg://clerk@db.example/registry",
     "Error: the PostgreSQL driver is not installed; install it with: pip install 'registry[postgres]'\n"),
    ("postgresql://clerk@db.example/registry",
     "Error: the PostgreSQL driver psycopg2 named by postgresql://clerk@db.example/registry is not installed; "
     "the registry uses psycopg: write the URL as postgresql+psycopg://… and install it with: "
     "pip install 'registry[postgres]'\n"),
])
def test_a_missing_postgresql_driver_names_the_extra(url, message):
    result = registry_without(["psycopg", "psycopg2"], "--db", url, "orgs")
    assert (result.returncode, result.stdout, result.stderr) == (1, "", message)


def test_without_sqlalchemy_help_still_works_and_a_command_names_the_package(tmp_path):
    helped = registry_without(["sqlalchemy"], "--help")
    assert (helped.returncode, helped.stderr) == (0, "")
    assert "Commands:" in helped.stdout
    result = registry_without(["sqlalchemy"], "--db", str(tmp_path / "r.db"), "orgs")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == ("Error: the SQLAlchemy library, which registry needs, is not installed (an incomplete "
                             "installation?); install it with: pip install 'SQLAlchemy'\n")
    assert not (tmp_path / "r.db").exists()


def test_an_xlsx_document_without_openpyxl_names_the_package(seeded, db_url, tmp_path):
    before = dump(seeded), file_bytes(db_url)
    result = registry_without(["openpyxl"], "--db", db_url, "roster", "卫健委", "--as-of", "2023-02-07",
                              "--format", "xlsx", "-o", str(tmp_path / "r.xlsx"))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == ("Error: the openpyxl library, which registry needs, is not installed (an incomplete "
                             "installation?); install it with: pip install 'openpyxl'\n")
    assert not (tmp_path / "r.xlsx").exists()
    assert (dump(seeded), file_bytes(db_url)) == before


def test_an_xlsx_roster_without_openpyxl_says_so_and_offers_csv(seeded, cli_run, db_url, tmp_path, monkeypatch):
    sheet = xlsx(tmp_path / "roster.xlsx", ROWS)
    before = dump(seeded), file_bytes(db_url)
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    result = cli_run("import-roster", str(sheet), "--as-of", "2023-01-01", "--reason", "启用", "--yes")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Error: reading .xlsx needs the openpyxl library: pip install 'openpyxl', "
                             "or save the sheet as .csv\n")
    assert (dump(seeded), file_bytes(db_url)) == before


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize("module, name, data, message", [
    ("pypdf", "notice.pdf", b"%PDF-1.4\n%%EOF\n", "Error: reading a PDF needs the pypdf library: pip install 'pypdf'\n"),
    ("docx", "notice.docx", docx_bytes(),
     "Error: reading a Word file needs the python-docx library: pip install 'python-docx'\n"),
])
def test_a_pdf_or_word_notice_without_its_reader_names_the_package(seeded, cli_run, db_url, tmp_path, monkeypatch,
                                                                   module, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    before = dump(seeded), file_bytes(db_url)
    monkeypatch.setitem(sys.modules, module, None)
    result = cli_run("add-notice", "--yes", str(path))
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", message)
    assert (dump(seeded), file_bytes(db_url)) == before


def test_export_ftm_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "followthemoney", None)
    with pytest.raises(MissingLibrary) as caught:
        load("followthemoney", "export ftm")
    assert str(caught.value) == "export ftm needs the followthemoney library: pip install 'registry[ftm]'"


def test_every_library_is_a_dependency_or_an_extra_in_pyproject():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for module, (package, extra) in LIBRARIES.items():
        listed = project["optional-dependencies"][extra] if extra else project["dependencies"]
        base = package.split("[")[0].lower()
        assert any(entry.lower().startswith(base) for entry in listed), f"{module}: {package} is not in {extra or 'dependencies'}"


def test_a_module_the_table_does_not_know_is_named_as_it_is():
    assert sentence("frobnicate.sub") == "the frobnicate library is not installed; install it with: pip install 'frobnicate'"
