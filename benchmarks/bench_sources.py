"""How fast a gazette PDF is read: pypdf against pdfminer.six, and the whole split into documents.

    python benchmarks/bench_sources.py [--repeat 5]

The PDF is the seed gazette (tests/fixtures/gazette-2023-01.txt) laid out on
40 pages by the same generator the tests use (reportlab, STSong-Light).  It
reports timings and asserts none; it also counts the characters each reader
gets back differently from the text written, which is why the registry reads
PDFs with pypdf.
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from make_files import GAZETTE, gazette_pdf, paginate  # noqa: E402
from registry.sources import documents_of  # noqa: E402

FURNITURE = re.compile(r"^(市政府文件 2023 年·?第一期|2023 年·?第一期 市政府文件|— \d+ —)$")


def with_pypdf(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def with_pdfminer(data: bytes) -> list[str]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    return ["".join(box.get_text() for box in page if isinstance(box, LTTextContainer))
            for page in extract_pages(io.BytesIO(data))]


def body(lines) -> str:
    return re.sub(r"\s+", "", "".join(line for line in lines if not FURNITURE.match(line.strip())))


def timed(work, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat

    data = gazette_pdf()
    written = body(line for page in paginate(GAZETTE.read_text(encoding="utf-8")) for line in page)
    print(f"gazette PDF: {len(paginate(GAZETTE.read_text(encoding='utf-8')))} pages, {len(data) // 1024} KiB")
    for name, reader in (("pypdf", with_pypdf), ("pdfminer.six", with_pdfminer)):
        seconds, pages = timed(lambda: reader(data), repeat)
        read = body(line for page in pages for line in page.split("\n"))
        differ = sum(a != b for a, b in zip(read, written)) + abs(len(read) - len(written))
        lost = sorted(set(written) - set(read))
        print(f"{name:13} {seconds:6.2f} s to read the text layer; {len(read)} of {len(written)} characters, "
              f"{differ} positions differ" + (f", never returns {' '.join(lost)}" if lost else ""))
    seconds, (_, found) = timed(lambda: documents_of(data, "gazette.pdf"), repeat)
    personnel = sum(1 for d in found if d.personnel)
    print(f"read and split {seconds:6.2f} s: {len(found)} documents, {personnel} personnel notices")


if __name__ == "__main__":
    main()
