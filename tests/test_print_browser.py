"""The printable roster in a real browser (issue 11): headless Chromium prints the --all document
to PDF, pdftotext reads it back page by page, and pdftoppm keeps a picture of page 1.

The test needs Debian's chromium and poppler-utils (.ci/run installs them).  Without
them it skips, saying so, except in CI (CI=true), where it fails.  The picture of
page 1 is written to $REGISTRY_ARTEFACTS if set (REGISTRY_ARTEFACTS=docs makes the
README's picture), else to pytest's temporary directory; its path is printed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import make_notice, seeded_database

AS_OF = "2023-03-01"
# Forty-five 副局长 of 市水利局: a roster longer than one A4 page.
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡"
GIVEN = ("建国", "秀英", "明")
LONG = [s + g for g in GIVEN for s in SURNAMES]


def browser() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found and shutil.which("pdftotext") and shutil.which("pdftoppm"):
        return found
    reason = ("printing the HTML needs Chromium and poppler-utils "
              "(apt-get install chromium poppler-utils fonts-noto-cjk), and they are not installed")
    if os.environ.get("CI") == "true":
        pytest.fail(reason + "; CI must install them (.ci/run does)")
    pytest.skip(reason)


def run(*args, **options) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=300, **options)


@pytest.fixture(scope="module")
def printed(tmp_path_factory, request):
    """The --all roster as of 2023-03-01 printed to PDF: (pages as text, the rosters' JSON, the PNG of page 1)."""
    import json

    from cli import cli

    chromium = browser()
    folder = tmp_path_factory.mktemp("print")
    with seeded_database("sqlite", folder) as (url, _engine):
        notice = folder / "long.txt"
        notice.write_text(make_notice("林政发〔2023〕20号", "2023年3月1日", [f"{n}任市水利局副局长" for n in LONG]),
                          encoding="utf-8")
        order = folder / "order.txt"
        order.write_text("卫健委\n", encoding="utf-8")
        runner = CliRunner()

        def registry(*args):
            result = runner.invoke(cli, ["--db", url, *args], catch_exceptions=False)
            assert result.exit_code == 0, result.stderr
            return result

        registry("add-notice", str(notice), "--yes")
        page = folder / "roster.html"
        common = ("roster", "--all", "--as-of", AS_OF, "--order", str(order))
        registry(*common, "--format", "html", "--output", str(page))
        data = json.loads(registry(*common, "--format", "json").stdout)

    pdf = folder / "roster.pdf"
    run(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
        f"--user-data-dir={folder / 'profile'}", f"--print-to-pdf={pdf}", page.as_uri(),
        env={**os.environ, "HOME": str(folder)})
    count = int(next(line.split()[1] for line in run("pdfinfo", str(pdf)).stdout.splitlines()
                     if line.startswith("Pages:")))
    pages = [run("pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-").stdout for n in range(1, count + 1)]

    artefacts = Path(os.environ.get("REGISTRY_ARTEFACTS") or tmp_path_factory.mktemp("artefacts"))
    artefacts.mkdir(parents=True, exist_ok=True)
    run("pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(artefacts / "roster-page1"))
    picture = artefacts / "roster-page1.png"
    # Said past pytest's output capture, so that the path shows however the tests are run.
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nprinted roster, page 1: {picture}")
    return [squeeze(p) for p in pages], data, picture


def squeeze(text: str) -> str:
    """Page text without the spaces and line breaks pdftotext puts between characters and cells."""
    return "".join(text.split())


def heading(organization: str) -> str:
    full = "林芝" + organization if organization.startswith("市") else organization
    return f"{full}领导班子成员名单"


def test_every_organization_heading_is_printed_once_in_order(printed):
    pages, data, _ = printed
    organizations = [r["organization"] for r in data["rosters"]]
    assert organizations[0] == "市卫生健康委员会"  # the --order file comes first
    starts = []
    for organization in organizations:
        found = [n for n, text in enumerate(pages) if heading(organization) in text]
        assert len(found) == 1, organization
        starts.append(found[0])
        assert "（截至2023年3月1日）" in pages[found[0]]
        assert "制表人：" in pages[found[0]] or organization == "市水利局"
    assert starts == sorted(starts)


def test_no_table_that_fits_is_split(printed):
    pages, data, _ = printed
    for answer in data["rosters"]:
        if answer["organization"] == "市水利局":
            continue
        (page,) = [text for text in pages if heading(answer["organization"]) in text]
        for member in answer["members"]:
            assert member["name"] in page, (answer["organization"], member["name"])
        # One organization a page: no other heading on it.
        assert page.count("领导班子成员名单") == 1


def test_a_table_longer_than_a_page_repeats_its_header_row(printed):
    pages, data, _ = printed
    (water,) = [r for r in data["rosters"] if r["organization"] == "市水利局"]
    assert len(water["members"]) == len(LONG) + 2
    first = next(n for n, text in enumerate(pages) if heading("市水利局") in text)
    on_first = [m["name"] for m in water["members"] if m["name"] in pages[first]]
    on_second = [m["name"] for m in water["members"] if m["name"] in pages[first + 1]]
    assert on_first and on_second and len(on_first) + len(on_second) == len(water["members"])
    # The header row again at the top of the next page (pdftotext reads the table column by column).
    assert pages[first + 1].startswith("序号26")
    assert all(column in pages[first + 1] for column in ("姓名", "职务", "任职时间", "备注"))
    assert "制表人：" in pages[first + 1] and "领导班子成员名单" not in pages[first + 1]


def test_pages_are_numbered_and_the_empty_organizations_come_last(printed):
    pages, data, _ = printed
    for number, text in enumerate(pages, start=1):
        assert f"第{number}页共{len(pages)}页" in text
    assert pages[-1].startswith("无任职记录的单位（截至2023年3月1日）")
    for organization in data["without_holders"]:
        assert ("林芝" + organization if organization.startswith("市") else organization) in pages[-1]
    # The internal ids are not printed without --ids.
    assert "人员ID" not in "".join(pages)


def test_page_one_is_kept_as_a_picture(printed):
    _, _, picture = printed
    data = picture.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert abs(width - 413) <= 1 and abs(height - 585) <= 1  # A4 (210 x 297 mm) at 50 dpi
