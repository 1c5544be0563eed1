"""PDF and Word files for the tests, generated here instead of committed as binaries.

reportlab's built-in CID font STSong-Light writes Chinese PDFs without a font
file; python-docx writes .docx files.  ``gazette_pdf`` lays the seed gazette
out as the printed issue is: about forty pages, a running head on every page
(the two forms the gazette alternates) and a page number at the foot, so that
page breaks fall inside notices.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

GAZETTE = Path(__file__).parent / "fixtures" / "gazette-2023-01.txt"
LINES_PER_PAGE = 45
HEADS = ("市政府文件 2023 年·第一期", "2023 年·第一期 市政府文件")


def pdf(pages: list[list[str]], *, heads: bool = True) -> bytes:
    """A PDF whose page n shows ``pages[n-1]``, line by line, with a running head and a page number."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    page_canvas = canvas.Canvas(out, pagesize=A4, invariant=True)
    for number, lines in enumerate(pages, start=1):
        if heads:
            page_canvas.setFont("STSong-Light", 9)
            page_canvas.drawString(50, 805, HEADS[number % 2])
            page_canvas.drawCentredString(297, 30, f"— {number} —")
        page_canvas.setFont("STSong-Light", 10)
        y = 780
        for line in lines:
            page_canvas.drawString(50, y, line)
            y -= 16
        page_canvas.showPage()
    page_canvas.save()
    return out.getvalue()


def paginate(text: str, per_page: int = LINES_PER_PAGE) -> list[list[str]]:
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return [lines[i:i + per_page] for i in range(0, len(lines), per_page)]


@lru_cache(maxsize=None)
def gazette_pdf() -> bytes:
    """The seed gazette as a PDF of 40 pages."""
    return pdf(paginate(GAZETTE.read_text(encoding="utf-8")))


def image_pdf(pages: int = 2) -> bytes:
    """A PDF with no text layer, as a scanner makes: each page only a picture (here, shapes)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page_canvas = canvas.Canvas(out, pagesize=A4, invariant=True)
    for _ in range(pages):
        page_canvas.rect(50, 50, 495, 742, fill=1)
        page_canvas.showPage()
    page_canvas.save()
    return out.getvalue()


def docx(paragraphs: list[str], table: list[list[str]] | None = None, *, table_after: int | None = None) -> bytes:
    """A Word file: the paragraphs, and a table inserted after paragraph ``table_after`` (default: at the end)."""
    import docx as python_docx

    document = python_docx.Document()
    where = len(paragraphs) if table_after is None else table_after
    for index, paragraph in enumerate(paragraphs):
        if table is not None and index == where:
            _add_table(document, table)
        document.add_paragraph(paragraph)
    if table is not None and where >= len(paragraphs):
        _add_table(document, table)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _add_table(document, rows: list[list[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for row, values in zip(table.rows, rows):
        for cell, value in zip(row.cells, values):
            cell.text = value
