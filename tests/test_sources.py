"""Reading files (text, PDF, Word) and splitting a gazette issue into its documents; no database."""

from __future__ import annotations

import io
import zipfile

import pytest

from conftest import NOTICES
from make_files import GAZETTE, docx, gazette_pdf, image_pdf, paginate, pdf
from registry.errors import NoticeError
from registry.sources import documents_of, extract, sniff
from registry.text import content_hash, squeeze

# Every document of the 2023 issue 1, in order: (number, title, personnel notice?).
GAZETTE_DOCUMENTS = [
    (None, "政府工作报告", False),
    ("林政发〔2023〕11号", "关于印发2023年林芝市《政府工作报告》重点任务分解方案的通知", False),
    ("林政发〔2023〕2号", "关于李宁博同志任职的通知", True),
    ("林政发〔2023〕3号", "关于杨帆等同志任免职的通知", True),
    ("林政发〔2023〕4号", "关于雷增炎、徐继军同志任免职的通知", True),
    ("林政发〔2023〕5号", "关于米次等同志任免职的通知", True),
    ("林政发〔2023〕6号", "关于马冰、陈健华同志任免职的通知", True),
    ("林政发〔2023〕8号", "关于任命林芝市残疾人联合会第二届主席团执行理事会理事长、副理事长的通知", True),
    ("林政办发〔2023〕3号", "关于印发《林芝市水土保持目标责任考核管理办法（试行）》的通知", False),
    ("〔2023〕3号", "关于成立林芝市“双减”工作专门协调机制的通知", False),
]
BUNDLED_HASHES = {content_hash(path.read_text(encoding="utf-8")): number for number, path in NOTICES.items()}


def bundled_number(text: str) -> int | None:
    return BUNDLED_HASHES.get(content_hash(text))


@pytest.mark.parametrize("kind", ["text", "pdf"])
def test_the_gazette_splits_into_its_documents(kind):
    data = GAZETTE.read_bytes() if kind == "text" else gazette_pdf()
    extracted, documents = documents_of(data, "gazette")
    assert extracted.kind == kind
    assert [(d.number, d.title, d.personnel) for d in documents] == GAZETTE_DOCUMENTS
    assert [d.position for d in documents] == list(range(1, 11))
    # Each personnel notice is, line for line, the bundled notice cut from the same gazette.
    assert [bundled_number(d.text) for d in documents] == [None, None, 2, 3, 4, 5, 6, 8, None, None]


def test_pdf_page_ranges():
    _, documents = documents_of(gazette_pdf(), "gazette.pdf")
    assert len(paginate(GAZETTE.read_text(encoding="utf-8"))) == 40
    assert [d.pages for d in documents] == [
        (1, 8), (8, 33), (33, 33), (33, 33), (33, 34), (34, 34), (34, 34), (34, 34), (34, 36), (36, 40),
    ]
    # 4号 runs over a page break: the running head and page number between its lines are gone.
    fourth = documents[4].text
    assert "— 33 —" not in fourth and "市政府文件" not in fourth and "第一期" not in fourth
    assert documents[2].pages is not None and documents[0].text.lstrip().startswith("政府工作报告")


def test_text_files_have_no_pages():
    _, documents = documents_of(GAZETTE.read_bytes(), "gazette.txt")
    assert {d.pages for d in documents} == {None}


def test_pypdf_reads_chinese_exactly():
    """The text layer comes back character for character, the middle dot of 京东中国特产·林芝 included."""
    furniture = ("市政府文件 2023 年·第一期", "2023 年·第一期 市政府文件", "— ")
    written = [line for page in paginate(GAZETTE.read_text(encoding="utf-8")) for line in page]
    extracted = extract(gazette_pdf(), "gazette.pdf")
    assert len(extracted.pages) == 40
    read = [line for page in extracted.pages for line in page.split("\n")]
    assert squeeze("".join(line for line in read if not line.startswith(furniture))) == squeeze(
        "".join(line for line in written if not line.startswith(furniture)))
    assert "京东中国特产·林芝特产馆" in "".join(extracted.pages)


@pytest.mark.parametrize("head", [
    "2023 年·第一期 市政府文件", "市政府文件 2023 年·第一期", "市政府文件 2023 年第一期", "2023年第一期 市政府文件",
    "— 35 —", "- 35 -", "35",
])
def test_page_furniture_is_removed_wherever_it_falls(notice_text, head):
    lines = notice_text(3).split("\n")
    middle = len(lines) // 2
    broken = "\n".join(lines[:middle] + ["", head, ""] + lines[middle:])
    gazette = notice_text(2) + "\n" + broken + "\n" + notice_text(4)
    _, documents = documents_of(gazette.encode("utf-8"), "two.txt")
    assert [bundled_number(d.text) for d in documents] == [2, 3, 4]
    assert head not in documents[1].text.split("\n")


def test_a_pdf_is_told_by_its_content_not_its_name(notice_text):
    data = pdf([notice_text(6).split("\n")])
    assert sniff(data) == "pdf"
    extracted, documents = documents_of(data, "notice.txt")
    assert extracted.kind == "pdf"
    assert [bundled_number(d.text) for d in documents] == [6]
    assert documents[0].pages == (1, 1)


def test_a_scanned_pdf_is_refused():
    with pytest.raises(NoticeError) as refusal:
        extract(image_pdf(), "scan.pdf")
    assert str(refusal.value) == (
        "scan.pdf is a PDF with no text layer (a scanned image?); the registry reads the text of a PDF and does no OCR"
    )


def test_a_damaged_pdf_is_refused():
    data = gazette_pdf()[:2000]
    with pytest.raises(NoticeError) as refusal:
        extract(data, "cut.pdf")
    assert str(refusal.value).startswith("cut.pdf could not be read as a PDF (")


def test_word_paragraphs_and_tables_in_body_order(notice_text):
    lines = notice_text(5).split("\n")
    table = [["姓名", "职务"], ["米次", "市国防动员办公室主任"]]
    data = docx(lines, table, table_after=3)
    assert sniff(data) == "docx"
    extracted = extract(data, "notice")
    assert extracted.kind == "docx"
    assert extracted.pages == ["\n".join(lines[:3] + ["姓名", "职务", "米次", "市国防动员办公室主任"] + lines[3:])]


def test_a_word_copy_is_the_same_notice(notice_text):
    _, documents = documents_of(docx(notice_text(8).split("\n")), "8.docx")
    assert [bundled_number(d.text) for d in documents] == [8]
    assert documents[0].pages is None


def test_a_merged_word_cell_is_read_once():
    import docx as python_docx

    document = python_docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "任免"
    for column, value in enumerate(("甲", "乙", "丙")):
        table.cell(1, column).text = value
    table.cell(0, 2).text = "备注"
    out = io.BytesIO()
    document.save(out)
    assert extract(out.getvalue(), "t.docx").pages == ["任免\n备注\n甲\n乙\n丙"]


def _zip(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize("data,message", [
    (_zip(["xl/workbook.xml"]),
     "f is a ZIP archive (an Excel or other Office file?), not a Word .docx, PDF or text notice"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
     "f is a Word 97-2003 (.doc) or other old Office file; save it as .docx or PDF"),
    (_zip(["word/document.xml"]), "f could not be read as a Word .docx file ("),
    (docx([""]), "f is a Word file with no text"),
    (b"\x00\x01binary", "the file is binary data, not a text notice"),
])
def test_unreadable_files_are_refused_with_the_reason(data, message):
    with pytest.raises(NoticeError) as refusal:
        extract(data, "f")
    assert str(refusal.value).startswith(message)
    assert message.endswith("(") or str(refusal.value) == message


def test_a_heading_may_take_several_lines_and_a_number_without_series():
    text = (
        "林芝市人民政府关于任命某某委员会\n第二届理事长\n\n的通知\n\n林政发〔2023〕30 号\n\n正文。\n"
        " 关于成立某某工作\n专门协调机制的通知\n\n〔2023〕4 号\n\n成员名单。\n"
        "附件 5\n\n督办函〔20XX〕XX 号\n\n"
    )
    _, documents = documents_of(text.encode("utf-8"), "t.txt")
    assert [(d.number, d.title, d.personnel, d.text.split("\n")[0]) for d in documents] == [
        ("林政发〔2023〕30号", "关于任命某某委员会第二届理事长的通知", True, "林芝市人民政府关于任命某某委员会"),
        ("〔2023〕4号", "关于成立某某工作专门协调机制的通知", False, " 关于成立某某工作"),
    ]


def test_a_number_line_in_a_body_does_not_start_a_document():
    text = "林芝市人民政府\n关于甲的通知\n\n林政发〔2023〕1号\n\n依据：\n\n林政发〔2022〕9号\n\n2023年1月1日\n"
    _, documents = documents_of(text.encode("utf-8"), "t.txt")
    assert [(d.number, d.title) for d in documents] == [("林政发〔2023〕1号", "关于甲的通知")]


def test_a_letterhead_before_a_single_notice_stays_with_it(notice_text):
    text = "特急\n\n签发人：巴塔\n\n" + notice_text(2)
    _, documents = documents_of(text.encode("utf-8"), "2.txt")
    assert len(documents) == 1
    assert documents[0].text == text and documents[0].number == "林政发〔2023〕2号"


def test_a_report_before_a_single_notice_is_a_document_of_its_own(notice_text):
    report = "政府工作报告\n\n" + "各位代表：现在，我代表市人民政府，向大会报告工作。\n\n" * 10
    _, documents = documents_of((report + notice_text(2)).encode("utf-8"), "two.txt")
    assert [(d.number, d.title, d.personnel) for d in documents] == [
        (None, "政府工作报告", False), ("林政发〔2023〕2号", "关于李宁博同志任职的通知", True),
    ]
    assert bundled_number(documents[1].text) == 2


@pytest.mark.parametrize("title,personnel", [
    ("关于张三同志职务任免的通知", True),
    ("关于免去李四同志职务的通知", True),
    ("关于印发《林芝市干部任免工作规定》的通知", False),
    ("关于转发自治区关于干部任职回避的通知", False),
    ("关于调整林芝市“双减”工作领导小组成员的通知", False),
])
def test_a_personnel_notice_is_told_by_its_title(title, personnel):
    text = f"林芝市人民政府\n{title}\n\n林政发〔2023〕1号\n\n甲。\n\n林芝市人民政府\n{title}\n\n林政发〔2023〕2号\n\n乙。\n"
    _, documents = documents_of(text.encode("utf-8"), "t.txt")
    assert [(d.title, d.personnel) for d in documents] == [(title, personnel)] * 2


def test_a_password_protected_pdf_is_refused(notice_text):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, encrypt="secret")
    page.drawString(50, 780, "Notice")
    page.showPage()
    page.save()
    with pytest.raises(NoticeError) as refusal:
        extract(out.getvalue(), "locked.pdf")
    assert str(refusal.value) == "locked.pdf is a password-protected PDF; save an unprotected copy"
