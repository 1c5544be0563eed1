"""One source's text to the documents it holds, split at their headings.

A gazette issue (市政府公报) holds a work report, notices of several kinds
and their attachments, one after another, with running heads and page numbers
wherever the pages break.  A document begins at its heading: an issuer line
(林芝市人民政府), a title (关于…的通知, over one to four lines, the issuer
sometimes run into it) and a document number on a line of its own
(林政发〔2023〕3号, or just 〔2023〕3号).  Whatever stands before the first
heading (a work report, a cover) is a document too, titled by its first line.

A personnel notice is one whose title says it appoints or removes
(任免, 任职, 免职, 任命, …) and does not hand out another document
(关于印发…); every other document is skipped with that reason.
Page furniture is dropped from every document, so that a notice cut from a
gazette is, line for line, the notice as it came alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import is_page_noise, normalize, squeeze
from ..i18n import N_

# A number line holds the number and nothing else (after normalizing: ASCII digits, full-width brackets).
_NUMBER_LINE = re.compile(r"^(?P<series>[\u4e00-\u9fff]{0,10})[〔［\[（(【](?P<year>\d{4})[〕］\])）】](?P<seq>\d{1,4})号$")
_TITLE_ENDINGS = ("通知", "决定", "通报", "批复", "命令", "意见", "办法", "方案", "报告", "函", "请示")
_ISSUER_ENDINGS = ("人民政府", "政府", "办公室", "办公厅", "委员会", "管委会", "局")
# How far back from a number line its title may begin, in non-empty lines.
_TITLE_LINES = 4
PERSONNEL_WORDS = ("任免", "任职", "免职", "任命", "免去", "聘任", "解聘", "辞去", "辞职")
# A document that hands out another (关于印发《…任免工作规定》的通知) is never a personnel notice.
NOT_PERSONNEL_PREFIXES = ("关于印发", "关于转发")
# Text before a single heading shorter than this belongs to the notice (a letterhead, 特急, 签发人).
PREAMBLE_CHARACTERS = 200
NOT_PERSONNEL = N_("not a personnel notice")


@dataclass(frozen=True)
class Line:
    text: str
    page: int | None  # 1-based PDF page; None for sources without pages


@dataclass(frozen=True)
class Document:
    """One document of a source, with where it stands in it."""

    position: int  # 1-based, in the order of the source
    text: str  # its lines, page furniture removed
    title: str  # 关于…的通知 (issuer removed), or the first line of an untitled document
    number: str | None  # 林政发〔2023〕3号, as printed but without spaces
    first_page: int | None
    last_page: int | None
    headed: bool  # whether it begins at a heading (issuer, title, number)

    @property
    def personnel(self) -> bool:
        return (self.headed and any(word in self.title for word in PERSONNEL_WORDS)
                and not self.title.startswith(NOT_PERSONNEL_PREFIXES))

    @property
    def pages(self) -> tuple[int, int] | None:
        if self.first_page is None:
            return None
        return (self.first_page, self.last_page or self.first_page)

    @property
    def name(self) -> str:
        """How a clerk recognizes it: the number (where it has one) and the title."""
        return f"{self.number} {self.title}" if self.number else self.title


def lines_of(pages: list[str], paged: bool) -> list[Line]:
    """The lines of a source, each with its page, page furniture removed."""
    lines = []
    for number, page in enumerate(pages, start=1):
        for text in page.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n"):
            if not is_page_noise(text):
                lines.append(Line(text, number if paged else None))
    return lines


def split_documents(lines: list[Line]) -> list[Document]:
    """Split at every heading.

    A source with no heading, or with one heading and no more than a few
    lines before it (a letterhead, 特急), is one document: the whole source,
    read as a notice always was.  Otherwise what stands before the first
    heading is a document of its own (a work report, a cover).
    """
    starts = _headings(lines)
    before = squeeze("".join(line.text for line in lines[: starts[0][0]])) if starts else ""
    if not starts or (len(starts) == 1 and len(before) < PREAMBLE_CHARACTERS):
        starts = [(0, starts[0][1], starts[0][2])] if starts else [(0, None, None)]
    elif before:
        starts.insert(0, (0, None, None))
    documents = []
    for position, (begin, title, number) in enumerate(starts, start=1):
        end = starts[position][0] if position < len(starts) else len(lines)
        chunk = lines[begin:end]
        pages = [line.page for line in chunk if line.page is not None and squeeze(line.text)]
        if title is None:
            first = next((squeeze(line.text) for line in chunk if squeeze(line.text)), "")
            title = first[:40] + ("…" if len(first) > 40 else "")
        documents.append(Document(
            position=position, text="\n".join(line.text for line in chunk), title=title, number=number,
            first_page=min(pages) if pages else None, last_page=max(pages) if pages else None,
            headed=number is not None,
        ))
    return documents


def _squeezed(text: str) -> str:
    """A line as the grammar sees it: NFKC, full-width Chinese punctuation, no spaces."""
    return squeeze(normalize(text))


def _headings(lines: list[Line]) -> list[tuple[int, str, str]]:
    """(first line, title, number) of every heading, in order."""
    found: list[tuple[int, str, str]] = []
    floor = 0  # a heading never reaches back into the one before it
    for index, line in enumerate(lines):
        number = _NUMBER_LINE.match(_squeezed(line.text))
        if number is None:
            continue
        heading = _title_before(lines, index, floor)
        if heading is not None:
            begin, title = heading
            series = number["series"]
            found.append((begin, title, f"{series}〔{number['year']}〕{int(number['seq'])}号"))
            floor = index + 1
    return found


def _title_before(lines: list[Line], index: int, floor: int) -> tuple[int, str] | None:
    """The title that ends just above a number line, and the line where its heading begins."""
    # One line more than a title may take: the issuer line above the longest title.
    above = [i for i in range(index - 1, floor - 1, -1) if _squeezed(lines[i].text)][: _TITLE_LINES + 1]
    for count in range(1, min(len(above), _TITLE_LINES) + 1):
        chosen = sorted(above[:count])
        joined = "".join(_squeezed(lines[i].text) for i in chosen)
        if "关于" not in joined or not joined.endswith(_TITLE_ENDINGS):
            continue
        issuer, _, rest = joined.partition("关于")
        if issuer and not _is_issuer(issuer):
            return None
        begin = chosen[0]
        if not issuer and count < len(above) and _is_issuer(_squeezed(lines[above[count]].text)):
            begin = above[count]  # the issuer on the line above the title
        return begin, "关于" + rest
    return None


def _is_issuer(text: str) -> bool:
    return 2 <= len(text) <= 30 and text.endswith(_ISSUER_ENDINGS) and not re.search(r"[，；。：（]", text)
