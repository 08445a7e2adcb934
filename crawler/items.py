"""The item every request produces, success or failure: one page record plus the body to extract."""

from dataclasses import dataclass

from directory.store import PageRecord


@dataclass
class FetchedPage:
    record: PageRecord
    kind: str = "page"  # page | pdf | sitemap (a sitemap is logged, never stored as a page)
    text: str | None = None  # decoded HTML or text, for extraction
    body: bytes | None = None  # raw bytes of a PDF, for text extraction
    logged: bool = False  # in the fetch log already
