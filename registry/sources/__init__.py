"""Bytes in: a file (plain text, PDF or Word) to the documents it holds.

- ``read``: a file's bytes to its text, page by page, the format told by content;
- ``split``: that text to its documents, at their headings, page furniture removed.

``documents_of`` does both.
"""

from __future__ import annotations

from .read import Extracted, extract, sniff
from .split import NOT_PERSONNEL, Document, Line, lines_of, split_documents

READABLE_SUFFIXES = (".txt", ".pdf", ".docx")


def documents_of(data: bytes, name: str) -> tuple[Extracted, list[Document]]:
    """A file's documents, in order; NoticeError if the file cannot be read at all."""
    extracted = extract(data, name)
    return extracted, split_documents(lines_of(extracted.pages, extracted.paged))


__all__ = [
    "NOT_PERSONNEL", "READABLE_SUFFIXES", "Document", "Extracted", "Line", "documents_of", "extract",
    "lines_of", "sniff", "split_documents",
]
