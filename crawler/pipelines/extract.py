"""1. Extraction: skip pages whose content hash is unchanged; otherwise read their facts (PDFs via their text)."""

import logging

from lxml.etree import LxmlError
from pypdf.errors import PyPdfError

from crawler.items import FetchedPage
from directory.vocab import FetchOutcome

logger = logging.getLogger(__name__)
EXTRACTABLE = (FetchOutcome.OK.value, FetchOutcome.DECODE.value)
# What a hostile or broken document can make a parser raise; anything else is a bug and should surface.
EXTRACTION_ERRORS = (ValueError, TypeError, KeyError, IndexError, UnicodeError, LxmlError, PyPdfError, RecursionError)


class ExtractPipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item: FetchedPage) -> FetchedPage:
        from directory.extraction import extract_page, pdf_text

        record = item.record
        if item.kind == "sitemap" or record.outcome not in EXTRACTABLE:
            return item
        known = self.crawler.spider.context.known.get(record.url)
        if known is not None and record.content_hash and known.content_hash == record.content_hash:
            record.unchanged = True  # same bytes as last time: the stored facts still hold
        else:
            url = record.final_url or record.url
            try:
                if item.kind == "pdf":
                    record.facts = extract_page(pdf_text(item.body or b""), url, "text/plain")
                else:
                    content_type = "text/plain" if item.kind == "text" else "text/html"
                    record.facts = extract_page(item.text or "", url, content_type)
            except EXTRACTION_ERRORS as exc:
                logger.warning("extraction failed for %s: %s", url, exc)
                record.error = f"extraction failed: {type(exc).__name__}: {exc}"[:300]
        item.text = None
        item.body = None
        return item
