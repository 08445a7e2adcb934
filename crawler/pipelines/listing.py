"""Listing seeds: every practice site a listing names becomes a Seed row (origin "listing", with provenance).

They are inactive until an admin approves them, unless the crawl trusts the listing. Each passes the one seed
validator (directory.egress.validate_seed, with DNS) here, after the crawl, and at most ``max_seeds`` per listing
are kept: the cap counts only valid sites, so junk links cannot crowd out real ones.
"""

from collections import Counter

from sqlmodel import Session, select

from crawler.items import FetchedPage
from directory.egress import BlockedAddress, validate_seed
from directory.models import Seed


class ListingSeedPipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item: FetchedPage) -> FetchedPage:
        return item

    def close_spider(self) -> None:
        spider = self.crawler.spider
        spider.discovered = valid_capped(spider)  # also what a trusted listing's crawl goes on to fetch
        with Session(spider.context.engine) as session:
            save_seeds(session, spider.discovered, origin="listing", active=spider.trust)
            session.commit()


def valid_capped(spider) -> dict[str, str]:
    kept: dict[str, str] = {}
    per_listing: Counter[str] = Counter()
    for url, page_url in spider.discovered.items():
        listing = spider.found_in.get(url, "")
        if per_listing[listing] >= spider.max_seeds:
            spider.refused += 1
            continue
        try:
            validate_seed(url, spider.policy)
        except BlockedAddress:
            spider.refused += 1
            continue
        kept[url] = page_url
        per_listing[listing] += 1
    return kept


def save_seeds(session: Session, seeds: dict[str, str | None], origin: str, active: bool = True) -> None:
    """Insert new seeds (URL -> listing page or None); an existing seed is left as the admin set it.

    Callers pass URLs that went through directory.egress.validate_seed (the CLI's check_seed, the listing spider).
    """
    existing = {seed.url: seed for seed in session.exec(select(Seed).where(Seed.url.in_(list(seeds))))}
    for url, listing_url in seeds.items():
        if url not in existing:
            session.add(Seed.model_validate({"url": url, "origin": origin, "listing_url": listing_url,
                                             "active": active}))
