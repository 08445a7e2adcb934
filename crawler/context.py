"""What one crawl process shares between its spider and its pipelines."""

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from crawler.ledger import Ledger
from crawler.links import site_key
from crawler.pipelines.extract import ExtractWorkers
from crawler.writer import SiteWriter
from directory.models import SourcePage
from directory.settings import Settings


@dataclass(frozen=True)
class KnownPage:
    """What the last crawl stored about a URL: enough for a conditional request and a hash comparison."""

    etag: str | None
    last_modified: str | None
    content_hash: str | None


@dataclass
class CrawlContext:
    engine: Engine
    run_id: int
    settings: Settings
    ledger: Ledger
    known: dict[str, KnownPage] = field(default_factory=dict)
    known_by_site: dict[str, list[str]] = field(default_factory=dict)
    extract_workers: ExtractWorkers | None = None
    writer: SiteWriter | None = None  # None: each site is stored in the crawl process as it finishes
    max_open_sites: int = 0  # sites crawled at once (one-process crawls, KAPDIR_OPEN_SITES); 0: no limit

    def load_known_pages(self, sites: set[str]) -> None:
        """Live pages of these sites from earlier crawls (re-requested even when no longer linked from a 304)."""
        columns = (SourcePage.url, SourcePage.etag, SourcePage.last_modified, SourcePage.content_hash)
        with Session(self.engine) as session:
            rows = session.exec(select(*columns).where(SourcePage.gone_at.is_(None))).all()
        for url, etag, last_modified, content_hash in rows:
            site = site_key(url)
            if site in sites:
                self.known[url] = KnownPage(etag, last_modified, content_hash)
                self.known_by_site.setdefault(site, []).append(url)
