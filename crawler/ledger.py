"""Per-site bookkeeping of a crawl: which URLs were claimed, how many requests are outstanding, the pages so far.

A site is merged and stored once its last outstanding request has finished. A site is *open* from the moment its
seed is popped until its pages are taken: a one-process crawl keeps only so many sites open at once
(``PracticeSpider.start``, ``MemoryLedger.open_sites``), so sites finish and are stored all through the crawl, not
all at its end, and the ledger holds the pages of those few sites only; a taken site's URLs are forgotten.
``MemoryLedger`` serves one process; ``RedisLedger`` keeps the same state in Redis so several worker processes (on
one or more machines) can share one crawl: whichever worker finishes a site's last request merges and stores it.
"""

import json
from collections import Counter, defaultdict, deque
from dataclasses import asdict
from datetime import datetime
from typing import Protocol

import redis

from crawler.links import site_key
from directory.store import PageRecord, page_facts_from_dict


def record_to_json(record: PageRecord) -> str:
    data = asdict(record)
    data["fetched_at"] = record.fetched_at.isoformat()
    return json.dumps(data)


def record_from_json(text: str) -> PageRecord:
    data = json.loads(text)
    data["fetched_at"] = datetime.fromisoformat(data["fetched_at"])
    if data.get("facts") is not None:
        data["facts"] = page_facts_from_dict(data["facts"])
    return PageRecord(**data)


class Ledger(Protocol):
    def register_seeds(self, seeds: dict[str, str]) -> None: ...  # site key -> home URL
    def pop_seed(self) -> str | None: ...
    def claim(self, site: str, url: str, budget: int | None) -> bool: ...
    def claim_variant(self, site: str, path: str, limit: int) -> bool: ...
    def finish(self, site: str, record: PageRecord | None) -> bool: ...
    def take_pages(self, site: str) -> list[PageRecord]: ...
    def pending_total(self) -> int: ...
    def unfinished_sites(self) -> list[str]: ...


class MemoryLedger:
    def __init__(self) -> None:
        self._seeds: deque[str] = deque()
        self._seen: dict[str, set[str]] = defaultdict(set)
        self._variants: dict[str, Counter[str]] = defaultdict(Counter)
        self._pending: dict[str, int] = defaultdict(int)
        self._pages: dict[str, list[PageRecord]] = defaultdict(list)
        self._open: set[str] = set()

    def register_seeds(self, seeds: dict[str, str]) -> None:
        for site, url in seeds.items():
            if self.claim(site, url, None):
                self._seeds.append(url)

    def pop_seed(self) -> str | None:
        if not self._seeds:
            return None
        url = self._seeds.popleft()
        self._open.add(site_key(url))
        return url

    def claim(self, site: str, url: str, budget: int | None) -> bool:
        seen = self._seen[site]
        if url in seen or (budget is not None and len(seen) >= budget):
            return False
        seen.add(url)
        self._pending[site] += 1
        return True

    def claim_variant(self, site: str, path: str, limit: int) -> bool:
        self._variants[site][path] += 1
        return self._variants[site][path] <= limit

    def finish(self, site: str, record: PageRecord | None) -> bool:
        if record is not None:
            self._pages[site].append(record)
        self._pending[site] -= 1
        return self._pending[site] <= 0

    def take_pages(self, site: str) -> list[PageRecord]:
        # Nothing of the site is outstanding, so no link of it can be claimed again: forget its URLs (memory).
        self._pending.pop(site, None)
        self._seen.pop(site, None)
        self._variants.pop(site, None)
        self._open.discard(site)
        return self._pages.pop(site, [])

    def pending_total(self) -> int:
        return sum(count for count in self._pending.values() if count > 0)

    def unfinished_sites(self) -> list[str]:
        return list(self._pages)

    def open_sites(self) -> int:
        return len(self._open)


# KEYS: seen set, site pending counter, total pending counter. ARGV: url, budget (-1: none).
_CLAIM = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
local budget = tonumber(ARGV[2])
if budget >= 0 and redis.call('SCARD', KEYS[1]) >= budget then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('INCR', KEYS[2])
redis.call('INCR', KEYS[3])
return 1
"""
# KEYS: pages list, site pending counter, total pending counter, open-sites set. ARGV: site, record JSON or "".
_FINISH = """
if ARGV[2] ~= '' then
  redis.call('RPUSH', KEYS[1], ARGV[2])
  redis.call('SADD', KEYS[4], ARGV[1])
end
redis.call('DECR', KEYS[3])
return redis.call('DECR', KEYS[2])
"""


class RedisLedger:
    """The ledger in Redis, namespaced by crawl run, shared by every worker of that run."""

    def __init__(self, client: redis.Redis, run_id: int) -> None:
        self.client = client
        self.prefix = f"kapdir:run:{run_id}"
        self._claim = client.register_script(_CLAIM)
        self._finish = client.register_script(_FINISH)

    def _key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def register_seeds(self, seeds: dict[str, str]) -> None:
        for site, url in seeds.items():
            if self.claim(site, url, None):
                self.client.rpush(self._key("seeds"), url)

    def pop_seed(self) -> str | None:
        value = self.client.lpop(self._key("seeds"))
        return value.decode() if value is not None else None

    def claim(self, site: str, url: str, budget: int | None) -> bool:
        keys = [self._key("seen", site), self._key("pending", site), self._key("pending_total")]
        return bool(self._claim(keys=keys, args=[url, -1 if budget is None else budget]))

    def claim_variant(self, site: str, path: str, limit: int) -> bool:
        return self.client.hincrby(self._key("variants", site), path, 1) <= limit

    def finish(self, site: str, record: PageRecord | None) -> bool:
        keys = [self._key("pages", site), self._key("pending", site), self._key("pending_total"), self._key("open")]
        remaining = self._finish(keys=keys, args=[site, record_to_json(record) if record is not None else ""])
        return int(remaining) <= 0

    def take_pages(self, site: str) -> list[PageRecord]:
        pipe = self.client.pipeline(transaction=True)
        pipe.lrange(self._key("pages", site), 0, -1)
        pipe.delete(self._key("pages", site))
        pipe.srem(self._key("open"), site)
        raw, _, _ = pipe.execute()
        return [record_from_json(item.decode()) for item in raw]

    def pending_total(self) -> int:
        return int(self.client.get(self._key("pending_total")) or 0)

    def unfinished_sites(self) -> list[str]:
        return [site.decode() for site in self.client.smembers(self._key("open"))]

    def clear(self) -> None:
        """Drop every key of this run (the coordinator calls it when the run is over)."""
        for key in self.client.scan_iter(match=f"{self.prefix}:*", count=1000):
            self.client.delete(key)
