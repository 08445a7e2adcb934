"""1. Fetch log: one row per requested URL with its outcome, written in batches; the run's live counts follow."""

import time

from scrapy import signals
from sqlalchemy import insert
from sqlmodel import Session

from crawler.items import FetchedPage
from crawler.runs import refresh_counts
from directory.models import FetchLog
from directory.vocab import FetchOutcome

BATCH = 200
INTERVAL_S = 1.0


class FetchLogPipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.buffer: list[dict] = []
        self.last_flush = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.item_error, signal=signals.item_error)
        return pipeline

    def item_error(self, item: FetchedPage, failure) -> None:
        """An earlier pipeline (extraction) failed on this page: it still gets its row."""
        if not item.logged:
            item.record.error = f"processing failed: {type(failure.value).__name__}: {failure.value}"[:300]
            self.process_item(item)

    def process_item(self, item: FetchedPage) -> FetchedPage:
        record = item.record
        item.logged = True
        if item.kind == "sitemap" and record.status in (404, 410):
            return item  # a site without a sitemap is normal, not a fault
        # Plain validated values (FetchOutcome, int status, short text), written in one executemany per batch.
        self.buffer.append(
            {"crawl_run_id": self.crawler.spider.context.run_id, "url": record.url[:2000],
             "status": record.status, "outcome": FetchOutcome(record.outcome).value,
             "error": (record.error or None) and record.error[:500], "at": record.fetched_at}
        )
        if len(self.buffer) >= BATCH or time.monotonic() - self.last_flush > INTERVAL_S:
            self.flush()
        return item

    def flush(self) -> None:
        context = self.crawler.spider.context
        if context.writer is not None:  # the writer process inserts them between its batches (crawler.writer)
            context.writer.log(self.buffer)
            self.buffer = []
            self.last_flush = time.monotonic()
            return
        with Session(context.engine) as session:
            if self.buffer:
                session.execute(insert(FetchLog), self.buffer)
            refresh_counts(session, context.run_id)
            session.commit()
        self.buffer = []
        self.last_flush = time.monotonic()

    def close_spider(self) -> None:
        self.flush()
