"""Crawler benchmark (skipped by default): `.venv/bin/pytest tests/benchmarks/test_crawl_bench.py --benchmark-only -s`.

Crawls a synthetic sample web (delays zero) with the full pipeline (fetch, extract, merge, store) and, in the same
run and from the same server, a minimal Scrapy spider that only fetches the pages the full crawl fetched. Reports
pages per second for both, their ratio (target >= 0.6 on 2 cores), the CPU seconds each spent (all processes of
the crawl: crawl, extraction helpers, writer; the server's are not counted) and the crawl's peak memory (target
< 500 MB). Sizes: KAPDIR_BENCH_SITES (default "200,2000"); databases: KAPDIR_BENCH_DB (default "sqlite,postgresql";
PostgreSQL is started by the ``postgres_url`` fixture, skipped where it is not installed). Results:
docs/benchmarks.md, "Crawler".

Name resolution (KAPDIR_BENCH_DNS, default "skip,resolve": both pairs, in that order). Against live sites both
crawls resolve every site's host name once: Scrapy does it before a host's first request, and the full crawl looks
up every seed (``crawler.run.SeedLookups``, in the background; the run is finished only once every seed has
passed). Through the sample web's proxy neither needs an answer, so each pair measures the same resolution on both
sides or none on either:

- ``skip``: neither resolves: the full crawl is given its seeds already checked (``seeds_checked``, as ``kapdir
  crawl`` does after checking a seed file) and the fetch-only spider looks nothing up. The crawl's own work against
  the fetcher's.
- ``resolve``: both resolve every site's host once through this machine's resolver: the full crawl as
  ``run_crawl`` does it (the seeds' lookups beside the crawl), the fetch-only spider before each host's first
  request (``ResolveOnceMiddleware``: what Scrapy does for a site reached without a proxy; in Scrapy's thread pool,
  a failed answer kept like a found one). A live full crawl also resolves each host once more, in its crawl process
  before the host's first request (``crawler.egress``, normally from the resolver's cache); the sample web's proxy
  skips that lookup, so here the full crawl's lookups run beside its fetching while the fetch-only spider waits for
  each host's answer: this pair favours the full crawl (an upper bound; on a slow resolver, by a lot).
"""

import contextlib
import json
import os
import threading
import time
from urllib.parse import urlsplit

import psutil
import pytest
import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.utils.defer import maybe_deferred_to_future
from sqlmodel import Session, func, select
from twisted.internet import defer, threads

from crawler.run import _fork_context, quiet_scrapy_loggers, run_crawl
from directory.db import get_engine, resolve_url
from directory.egress import BlockedAddress, system_resolve
from directory.models import CrawlRun, FetchLog, Practice
from directory.sample_world.web import start_sample_web
from directory.sample_world.world import synthetic_world

SIZES = [int(n) for n in os.environ.get("KAPDIR_BENCH_SITES", "200,2000").split(",")]
DATABASES = os.environ.get("KAPDIR_BENCH_DB", "sqlite,postgresql").split(",")
DNS_MODES = os.environ.get("KAPDIR_BENCH_DNS", "skip,resolve").split(",")
ZERO_DELAYS = {"download_delay": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 32,
               # e.g. '{"KAPDIR_STORE_BATCH": 0, "extract_processes": 1}' to measure the crawl as it was stored before
               **json.loads(os.environ.get("KAPDIR_BENCH_OVERRIDES", "{}"))}


class FetchOnlySpider(scrapy.Spider):
    """The baseline: fetch a list of URLs through the proxy, keep nothing."""

    name = "fetch_only"

    def __init__(self, urls: list[str], proxy: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.proxy = proxy

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, meta={"proxy": self.proxy}, callback=self.parse, dont_filter=True)

    def parse(self, response):
        return None


class ResolveOnceMiddleware:
    """The fetch-only spider's name resolution in ``resolve`` mode: each host looked up once, through the system
    resolver in Scrapy's thread pool, before its first request (robots.txt included) goes out, as Scrapy does for a
    site it reaches without a proxy. The answer is not used (the proxy connects); a name that does not resolve (the
    sample web's) is remembered like one that does, as a live site's answer would be cached."""

    def __init__(self) -> None:
        self.resolved: set[str] = set()
        self.waiting: dict[str, list[defer.Deferred]] = {}

    async def process_request(self, request: scrapy.Request) -> None:
        host = urlsplit(request.url).hostname or ""
        if host in self.resolved:
            return None
        waiter: defer.Deferred = defer.Deferred()
        if host in self.waiting:
            self.waiting[host].append(waiter)
        else:
            self.waiting[host] = [waiter]
            threads.deferToThread(_lookup_quietly, host).addBoth(lambda _: self._resolved(host))
        await maybe_deferred_to_future(waiter)
        return None

    def _resolved(self, host: str) -> None:
        self.resolved.add(host)
        for waiter in self.waiting.pop(host):
            waiter.callback(None)


def _lookup_quietly(host: str) -> None:
    with contextlib.suppress(BlockedAddress):  # the full crawl's lookup (directory.egress), retries included
        system_resolve(host, 80)


def _fetch_only(urls: list[str], proxy: str, per_domain: int, resolve: bool) -> None:
    # Same politeness mechanics as the full crawl (robots.txt read through the proxy, same concurrency).
    from directory.settings import get_settings

    middlewares = {"crawler.middlewares.ProxyEverywhereMiddleware": 740}
    if resolve:
        middlewares[f"{__name__}.ResolveOnceMiddleware"] = 50  # before robots.txt, as the crawl's egress check
    # Same identification too (the crawl's user agent, which robots.txt rules are matched against).
    process = CrawlerProcess({"LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": True, "DOWNLOAD_DELAY": 0,
                              "USER_AGENT": get_settings().effective_user_agent, "AUTOTHROTTLE_ENABLED": False,
                              "CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": per_domain,
                              "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False,
                              "KAPDIR_PROXY": proxy, "DOWNLOADER_MIDDLEWARES": middlewares})
    quiet_scrapy_loggers("ERROR")  # as the full crawl: no debug records built to be dropped
    process.crawl(FetchOnlySpider, urls=urls, proxy=proxy)
    process.start()


class PeakMemory:
    """Largest resident set of any process this one started (the crawl runs in a forked child), and the CPU time
    those processes spent while watched (sampled every 0.1 s, so a process's last instant may be missed)."""

    def __init__(self) -> None:
        self.peak = 0
        self._cpu: dict[int, float] = {}
        self._start: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        for child in psutil.Process().children(recursive=True):  # the fork server's CPU so far is not the crawl's
            with contextlib.suppress(psutil.NoSuchProcess):
                self._start[child.pid] = sum(child.cpu_times()[:2])

    @property
    def cpu_s(self) -> float:
        return sum(used - self._start.get(pid, 0.0) for pid, used in self._cpu.items())

    def cpu_by_process(self) -> list[float]:
        return [used - self._start.get(pid, 0.0) for pid, used in self._cpu.items()]

    @property
    def busiest_cpu_s(self) -> float:
        """CPU of the busiest single process (the crawl process): what no second core can take over."""
        return max((used - self._start.get(pid, 0.0) for pid, used in self._cpu.items()), default=0.0)

    def _watch(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            for child in me.children(recursive=True):
                try:
                    self.peak = max(self.peak, child.memory_info().rss)
                    self._cpu[child.pid] = sum(child.cpu_times()[:2])
                except psutil.NoSuchProcess:
                    continue
            time.sleep(0.1)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture(params=DATABASES)
def bench_db(request, tmp_path):
    """Fresh databases of one kind, one for each crawl: ``make(name)`` returns its URL."""
    if request.param == "sqlite":
        yield lambda name: resolve_url(tmp_path / f"{name}.db")
        return
    import psycopg

    server = request.getfixturevalue("postgres_url")

    def make(name: str) -> str:
        database = f"crawl_bench_{os.getpid()}_{request.node.callspec.params['n_sites']}_{name}"
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}"')
            connection.execute(f'CREATE DATABASE "{database}"')
        return server.rsplit("/", 1)[0] + "/" + database

    yield make


def _measure(web, db_url: str, n_sites: int, dns: str) -> dict:
    """One full crawl, then the fetch-only spider over the URLs it fetched, both with or both without DNS."""
    resolve = dns == "resolve"
    load_before = os.getloadavg()[0]
    with PeakMemory() as memory:
        started = time.perf_counter()
        summary = run_crawl(db_url, web.seeds, proxy=web.proxy_url, overrides=ZERO_DELAYS, seeds_checked=not resolve)
        full_s = time.perf_counter() - started
    # Printed before the baseline runs, so that a failed run's message (and a long run's figures) are kept.
    print(f"\n{n_sites} sites, DNS {dns}, full crawl: {full_s:.1f} s, peak RSS {memory.peak / 2**20:.0f} MB, {summary}")
    assert summary["status"] == "finished", summary["message"]
    assert summary["practices"] == n_sites, summary
    with Session(get_engine(db_url)) as session:
        urls = list(session.exec(select(FetchLog.url).where(FetchLog.crawl_run_id == summary["run_id"])))
        run = session.get(CrawlRun, summary["run_id"])
        last_fetch = session.exec(select(func.max(FetchLog.at)).where(FetchLog.crawl_run_id == run.id)).one()
        last_store = session.exec(select(func.max(Practice.last_crawled))).one()
        fetching_s = (last_fetch - run.started_at).total_seconds()
        storing_s = (last_store - run.started_at).total_seconds()
    with PeakMemory() as baseline_memory:
        started = time.perf_counter()
        baseline = _fork_context().Process(target=_fetch_only, args=(urls, web.proxy_url, 2, resolve))
        baseline.start()
        baseline.join()
        fetch_s = time.perf_counter() - started
    assert baseline.exitcode == 0
    full_rate, fetch_rate = summary["pages"] / full_s, len(urls) / fetch_s
    return {
        "dns": dns, "pages": summary["pages"], "full_s": round(full_s, 1), "fetch_only_s": round(fetch_s, 1),
        "full_pages_per_s": round(full_rate, 1), "fetch_only_pages_per_s": round(fetch_rate, 1),
        "ratio": round(full_rate / fetch_rate, 2),
        "full_cpu_ms_per_page": round(1000 * memory.cpu_s / summary["pages"], 1),
        "busiest_process_cpu_ms_per_page": round(1000 * memory.busiest_cpu_s / summary["pages"], 1),
        "fetch_only_cpu_ms_per_page": round(1000 * baseline_memory.cpu_s / len(urls), 1),
        # From the run's creation to the last page fetched and to the last site stored (the rest of the run:
        # waiting for the seeds' lookups when they are slower than the crawl).
        "last_fetch_s": round(fetching_s, 1), "last_store_s": round(storing_s, 1),
        "cpu_s_by_process": sorted((round(cpu, 1) for cpu in memory.cpu_by_process()), reverse=True)[:5],
        "peak_rss_mb": round(memory.peak / 2**20), "load_avg": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }


@pytest.mark.timeout(3600)
@pytest.mark.parametrize("n_sites", SIZES)
def test_crawl_throughput_vs_fetch_only(benchmark, tmp_path, n_sites, bench_db):
    world = synthetic_world(n_sites)
    with start_sample_web(world) as web:
        for host in web.hosts:
            web.resolve(host, "/")  # render every site up front: both crawls then read from memory
        run_crawl(resolve_url(tmp_path / "warm.db"), web.seeds[:1], proxy=web.proxy_url, overrides=ZERO_DELAYS,
                  seeds_checked=True)
        first, *rest = DNS_MODES
        db_url = bench_db(first)
        results = [benchmark.pedantic(_measure, args=(web, db_url, n_sites, first), rounds=1, iterations=1)]
        results += [_measure(web, bench_db(dns), n_sites, dns) for dns in rest]
    benchmark.extra_info.update({"sites": n_sites, "db": db_url.split(":")[0], "runs": results})
    for result in results:
        print(f"\n{n_sites} sites: {result}")
