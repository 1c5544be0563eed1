"""A file's bytes to its text, page by page: plain text, PDF (text layer) or Word (.docx).

The format is told by the content, not by the file name: a PDF starts with
``%PDF-``, a .docx is a ZIP archive holding ``word/document.xml``, anything
else is read as text (registry.text detects its encoding).  What cannot be
read is refused in one sentence that names the file and says why.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass

from ..dependencies import load
from ..errors import NoticeError
from ..text import decode
from ..i18n import _

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
# Word 97-2003 (.doc), old Excel and PowerPoint: the OLE compound file format.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Extracted:
    """The text of one file: ``pages`` holds one string per PDF page, or one string in all."""

    kind: str  # "text" | "pdf" | "docx"
    pages: list[str]

    @property
    def paged(self) -> bool:
        return self.kind == "pdf"


def sniff(data: bytes) -> str:
    """The format of a file's content: "pdf", "docx", "zip", "ole" or "text"."""
    # A PDF may carry a few bytes of junk before its header; readers accept 1 KiB of it.
    if PDF_MAGIC in data[:1024]:
        return "pdf"
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return "docx" if "word/document.xml" in archive.namelist() else "zip"
        except zipfile.BadZipFile:
            return "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    return "text"


def extract(data: bytes, name: str) -> Extracted:
    """Read a file's text; NoticeError says why a file cannot be read."""
    kind = sniff(data)
    if kind == "pdf":
        return Extracted("pdf", _pdf_pages(data, name))
    if kind == "docx":
        return Extracted("docx", [_docx_text(data, name)])
    if kind == "zip":
        raise NoticeError(_("{name} is a ZIP archive (an Excel or other Office file?), not a Word .docx, PDF or text "
                             "notice").format(name=name))
    if kind == "ole":
        raise NoticeError(_("{name} is a Word 97-2003 (.doc) or other old Office file; save it as .docx or PDF").format(name=name))
    return Extracted("text", [decode(data)])


def _pdf_pages(data: bytes, name: str) -> list[str]:
    """The text layer of each page, read with pypdf (see README: why pypdf)."""
    PdfReader = load("pypdf", _("reading a PDF")).PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    # pypdf reports recoverable damage through logging; the clerk needs none of it on stderr.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise NoticeError(_("{name} is a password-protected PDF; save an unprotected copy").format(name=name))
        pages = [page.extract_text() or "" for page in reader.pages]
    except NoticeError:
        raise
    except DependencyError:
        # AES-encrypted, even with an empty password, needs the cryptography package.
        raise NoticeError(_("{name} is an encrypted PDF; save an unprotected copy").format(name=name)) from None
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise NoticeError(_("{name} could not be read as a PDF ({error})").format(name=name, error=error)) from None
    if not pages:
        raise NoticeError(_("{name} is a PDF with no pages").format(name=name))
    if not any(page.strip() for page in pages):
        raise NoticeError(
            _("{name} is a PDF with no text layer (a scanned image?); the registry reads the text of a "
               "PDF and does no OCR").format(name=name)
        )
    return pages


def _docx_text(data: bytes, name: str) -> str:
    """Paragraphs and table cells in the order they stand in the body, one per line."""
    docx = load("docx", _("reading a Word file"))
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises its own errors, lxml's, zipfile's and KeyError
        raise NoticeError(_("{name} could not be read as a Word .docx file ({error})").format(name=name, error=error)) from None
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
        else:
            lines.append(block.text)
    text = "\n".join(lines)
    if not text.strip():
        raise NoticeError(_("{name} is a Word file with no text").format(name=name))
    return text


def _table_lines(table) -> list[str]:
    lines: list[str] = []
    seen: set = set()  # the cells' XML elements, held so that each stays the same object
    for row in table.rows:
        for cell in row.cells:
            # A merged cell is repeated in every row and column it spans; read it once.
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            for inner in cell.iter_inner_content():
                if hasattr(inner, "rows"):
                    lines.extend(_table_lines(inner))
                else:
                    lines.append(inner.text)
    return lines
