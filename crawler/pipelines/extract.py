"""2. Extraction: skip pages whose content hash is unchanged; otherwise read their facts (PDFs via their text).

Extraction is CPU work: with ``settings.extract_processes`` > 0 it runs in helper processes (forked before the
crawl starts) while the crawl process keeps fetching and storing.
"""

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from lxml.etree import LxmlError
from pypdf.errors import PyPdfError

from crawler.items import FetchedPage
from directory.extraction.types import PageFacts
from directory.vocab import FetchOutcome

logger = logging.getLogger(__name__)
EXTRACTABLE = (FetchOutcome.OK.value, FetchOutcome.DECODE.value)
# What a hostile or broken document can make a parser raise; anything else is a bug and should surface.
EXTRACTION_ERRORS = (ValueError, TypeError, KeyError, IndexError, UnicodeError, LxmlError, PyPdfError, RecursionError)


def extract(kind: str, text: str | None, body: bytes | None, url: str) -> PageFacts:
    from directory.extraction import extract_page, pdf_text

    if kind == "pdf":
        return extract_page(pdf_text(body or b""), url, "text/plain")
    return extract_page(text or "", url, "text/plain" if kind == "text" else "text/html")


def extraction_pool(processes: int) -> ProcessPoolExecutor | None:
    """Create before the reactor starts (forking a process with a running reactor is unsafe)."""
    if processes <= 0:
        return None
    return ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork"))


class ExtractPipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_item(self, item: FetchedPage) -> FetchedPage:
        record = item.record
        if item.kind == "sitemap" or record.outcome not in EXTRACTABLE:
            return item
        context = self.crawler.spider.context
        known = context.known.get(record.url)
        if known is not None and record.content_hash and known.content_hash == record.content_hash:
            record.unchanged = True  # same bytes as last time: the stored facts still hold
        else:
            url = record.final_url or record.url
            try:
                if context.extract_pool is None:
                    record.facts = extract(item.kind, item.text, item.body, url)
                else:
                    future = context.extract_pool.submit(extract, item.kind, item.text, item.body, url)
                    record.facts = await asyncio.wrap_future(future)
            except EXTRACTION_ERRORS as exc:
                logger.warning("extraction failed for %s: %s", url, exc)
                record.error = f"extraction failed: {type(exc).__name__}: {exc}"[:300]
        item.text = None
        item.body = None
        return item
