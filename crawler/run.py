"""Running crawls: ``kapdir crawl``, the ``run_crawl`` API, and the child process that hosts Scrapy.

Scrapy's Twisted reactor cannot be restarted within a process, so every crawl runs in a child process (forked
from a warm fork server; ``python -m crawler.run JOB.json`` runs the same by hand) while the caller creates the
crawl run, shows progress from the database and finishes the run. ``run_crawl`` can therefore be called any
number of times in one process (demo, dashboard, tests).

Distributed mode: the caller registers the seeds in Redis and starts worker processes that share Scrapy's request
queue and duplicate filter (scrapy-redis) and a per-site ledger; more workers can join from other machines.
"""

import json
import logging
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, select

from crawler.links import is_http, site_key
from directory.db import get_engine, resolve_url, upgrade
from directory.egress import BlockedAddress, validate_seed
from directory.errors import KapdirError
from directory.models import CrawlRun, Seed
from directory.settings import Settings, get_settings

POLL_S = 0.5
SEED_CHECK_THREADS = 8  # DNS lookups of seeds at once (a resolver may drop many concurrent queries)
JOB_KEY = "kapdir:current_job"  # the running distributed job, for workers that join from other machines

Progress = Callable[[dict[str, Any]], None]


# --- seeds --------------------------------------------------------------------------------------


def check_seed(url: str, *, dns: bool = True) -> str:
    """The one seed validator (directory.egress): http(s), an allowed port, a host resolving to allowed addresses
    (``dns=False``: the URL alone, no lookup)."""
    url = url.strip()
    if not is_http(url):
        raise KapdirError(f"seed {url!r} is not an http(s) URL")
    try:
        return validate_seed(url, dns=dns)
    except BlockedAddress as exc:
        raise KapdirError(f"seed {url!r} refused: {exc}") from None


def check_seeds(urls: list[str], where: list[str] | None = None, threads: int = SEED_CHECK_THREADS) -> list[str]:
    """``check_seed`` for each URL, in a bounded thread pool (each check waits on a DNS lookup): the normalised
    URLs in input order, or the KapdirError of the first bad URL in input order (prefixed with its ``where``, e.g.
    'seeds.txt line 4'), as checking one by one gives."""
    with ThreadPoolExecutor(max_workers=max(1, min(threads, len(urls))), thread_name_prefix="seed-check") as pool:
        futures = [pool.submit(check_seed, url) for url in urls]
        try:
            checked = []
            for index, future in enumerate(futures):
                try:
                    checked.append(future.result())
                except KapdirError as exc:
                    if where is None:
                        raise
                    raise KapdirError(f"{where[index]}: {exc}") from exc
            return checked
        finally:
            for future in futures:
                future.cancel()  # after a bad seed, the checks not yet started are not needed


class SeedLookups:
    """``check_seeds`` in the background, while the crawl already runs.

    Looking up 200 seeds takes 35-45 s on a resolver that drops concurrent queries (docs/benchmarks.md), about as
    long as crawling them. Nothing unsafe is fetched meanwhile: the crawl process checks the resolved address of
    every request itself (``crawler.egress``), so a seed that resolves to a private address is refused there too.
    The check only decides the run's fate: its first bad seed (in input order) fails the run with the same one-line
    error as checking before the crawl."""

    def __init__(self, urls: list[str]) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-lookups")
        self._future = self._pool.submit(check_seeds, urls)
        self._pool.shutdown(wait=False)

    def error(self, wait: bool = False) -> KapdirError | None:
        """The first bad seed's error, once known (``wait``: wait until every seed is checked)."""
        if not wait and not self._future.done():
            return None
        exc = self._future.exception()
        return exc if isinstance(exc, KapdirError) or exc is None else KapdirError(f"seed check failed: {exc}")


def read_seed_args(values: list[str]) -> dict[str, str]:
    """--seeds values: URLs or seed list files (directory.seeds format: 'URL [STATES] [# note]' a line)
    -> {url: origin}."""
    from directory.seeds import load_seed_list

    seeds: dict[str, str] = {}
    for value in values:
        if value.startswith(("http://", "https://")):
            seeds[check_seed(value)] = "cli"
            continue
        path = Path(value)
        if "://" in value or not path.is_file():
            raise KapdirError(f"seed {value!r} is neither an http(s) URL nor a readable file of URLs")
        sites = load_seed_list(path)
        checked = check_seeds([site.url for site in sites], [f"{value} line {site.line}" for site in sites])
        seeds.update(dict.fromkeys(checked, "file"))
    return seeds


def one_seed_per_site(seeds: list[str]) -> list[str]:
    by_site: dict[str, str] = {}
    for url in seeds:
        by_site.setdefault(site_key(url), url)
    return list(by_site.values())


def active_seeds(db_url: str) -> list[str]:
    with Session(get_engine(db_url)) as session:
        return list(session.exec(select(Seed.url).where(Seed.active.is_(True)).order_by(Seed.id)))


# --- child processes ----------------------------------------------------------------------------


class Child:
    """One crawl process, forked from a warm fork server (see ``crawler.preload``)."""

    def __init__(self, process, out_file: Path, err_file: Path) -> None:
        self.process = process
        self.out_file = out_file
        self.err_file = err_file

    def running(self) -> bool:
        return self.process.exitcode is None

    @property
    def exitcode(self) -> int | None:
        return self.process.exitcode

    def wait(self) -> None:
        self.process.join()

    def failure(self) -> str | None:
        if self.process.exitcode == 0:
            return None
        text = self.err_file.read_text(errors="replace") if self.err_file.exists() else ""
        lines = [line for line in text.splitlines() if line.strip()]
        return f"crawl process exited with {self.process.exitcode}: {lines[-1][:300] if lines else 'no output'}"


@lru_cache(maxsize=1)
def _fork_context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["crawler.preload"])
    return context


def _child_entry(job: dict[str, Any], out_path: str, err_path: str) -> None:
    """In the forked process: output to files, the caller's environment, then the crawl."""
    for fd, path in ((1, out_path), (2, err_path)):
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(handle, fd)
        os.close(handle)
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - the process's own stdout, kept open
    sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
    os.environ.update(job.get("env", {}))
    get_settings.cache_clear()  # the fork server may have started before the caller's environment changed
    child_main(job)
    sys.stdout.flush()


def _spawn(job: dict[str, Any], workdir: Path, name: str) -> Child:
    env = {key: value for key, value in os.environ.items() if key.startswith("KAPDIR_") or key == "DATABASE_URL"}
    out_file, err_file = workdir / f"{name}.out", workdir / f"{name}.err"
    process = _fork_context().Process(
        target=_child_entry, args=({**job, "env": env}, str(out_file), str(err_file)), name=f"kapdir-{name}"
    )
    process.start()
    return Child(process, out_file, err_file)


def _wait(children: list[Child], engine, run_id: int, progress: Progress | None,
          lookups: SeedLookups | None = None) -> list[str]:
    while True:
        if lookups is not None and (error := lookups.error()) is not None:
            for child in children:
                if child.running():
                    child.process.terminate()  # Scrapy stops gracefully; sites stored so far stay stored
            for child in children:
                child.wait()
            return [str(error)]
        if progress is not None:
            with Session(engine) as session:
                run = session.get(CrawlRun, run_id)
                progress({"pages": run.pages, "new": run.new, "changed": run.changed, "errors": dict(run.errors or {})})
        if not any(child.running() for child in children):
            break
        time.sleep(POLL_S)
    for child in children:
        child.wait()
    return [failure for child in children if (failure := child.failure())]


# --- the API ------------------------------------------------------------------------------------


def run_crawl(
    db_url: str,
    seeds: list[str],
    listings: list[str] | tuple[str, ...] = (),
    proxy: str | None = None,
    overrides: dict | None = None,
    *,
    redis_url: str | None = None,
    workers: int = 2,
    seed_origin: str | None = None,
    progress: Progress | None = None,
    trust_listing: bool = False,
    seeds_checked: bool = False,
) -> dict[str, Any]:
    """Crawl these seeds (and the sites these listings name) into the database; return the run's summary.

    ``overrides``: lower-case keys override kapdir settings (e.g. ``{"download_delay": 0}``), upper-case keys are
    Scrapy settings. ``redis_url``: distributed mode with ``workers`` local worker processes. Sites a listing
    names are stored as inactive seeds for an admin to approve, and crawled now only with ``trust_listing``.
    ``seeds_checked``: the caller has just put ``seeds`` through ``check_seeds`` (a DNS lookup each, not done twice).
    Otherwise each seed's URL is checked now and its DNS while the crawl runs (``SeedLookups``): a bad seed fails
    the run (stopping the crawl) and raises its one-line KapdirError.
    """
    from crawler.pipelines.listing import save_seeds
    from crawler.runs import create_run, finish_run, summary

    lookups = None
    if seed_origin and not seeds_checked:
        seeds = check_seeds(seeds)  # stored as seeds below: only checked ones
    elif not seeds_checked:
        seeds = [check_seed(url, dns=False) for url in seeds]
        lookups = SeedLookups(seeds) if seeds else None
    listings = check_seeds(list(listings))
    upgrade(db_url)
    engine = get_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        if seed_origin:
            save_seeds(session, dict.fromkeys(seeds), origin=seed_origin)
            session.commit()
        run = create_run(session, seeds)
    base_job = {"db_url": db_url, "run_id": run.id, "proxy": proxy, "overrides": overrides or {}}
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kapdir-crawl-") as tmp:
        workdir = Path(tmp)
        if listings:
            child = _spawn({**base_job, "mode": "listing", "listings": listings, "trust_listing": trust_listing},
                           workdir, "listing")
            failures += _wait([child], engine, run.id, progress)
            if trust_listing and child.exitcode == 0 and child.out_file.read_text().strip():
                seeds += [url for url in json.loads(child.out_file.read_text().strip().splitlines()[-1])
                          if url not in seeds]
        seeds = one_seed_per_site(seeds)
        with Session(engine) as session:
            stored = session.get(CrawlRun, run.id)
            stored.seeds = seeds
            session.add(stored)
            session.commit()
        if not seeds:
            with Session(engine) as session:
                finish_run(session, run.id, status="failed", message="no seeds")
            if listings and not trust_listing and not failures:
                with Session(engine, expire_on_commit=False) as session:
                    done = finish_run(session, run.id, status="finished",
                                      message="sites found on the listing wait for approval in the admin area "
                                              "(or crawl with --trust-listing)")
                    return summary(session, done)
            raise KapdirError("no seeds to crawl: the listing named no practice sites" if listings else "no seeds")
        job = {**base_job, "seeds": seeds}
        if redis_url:
            try:
                failures += _crawl_distributed(job, redis_url, workers, workdir, engine, progress)
            except KapdirError as exc:
                with Session(engine) as session:
                    finish_run(session, run.id, status="failed", message=str(exc))
                raise
        else:
            failures += _wait([_spawn({**job, "mode": "practice"}, workdir, "practice")], engine, run.id, progress,
                              lookups)
    seed_error = lookups.error(wait=True) if lookups is not None else None
    if seed_error is not None:
        with Session(engine) as session:
            finish_run(session, run.id, status="failed", message=str(seed_error))
        raise seed_error
    with Session(engine, expire_on_commit=False) as session:
        finished = finish_run(
            session, run.id, status="failed" if failures else "finished", message="; ".join(failures) or None
        )
        return summary(session, finished)


def _crawl_distributed(job: dict, redis_url: str, workers: int, workdir: Path, engine, progress) -> list[str]:
    import redis

    from crawler.ledger import RedisLedger

    client = redis.Redis.from_url(redis_url)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise KapdirError(f"cannot reach Redis at {redis_url}: {exc}") from exc
    ledger = RedisLedger(client, job["run_id"])
    ledger.clear()
    ledger.register_seeds({site_key(url): url for url in job["seeds"]})
    worker_job = {**job, "mode": "worker", "redis_url": redis_url}
    client.set(JOB_KEY, json.dumps(worker_job))
    try:
        children = [_spawn(worker_job, workdir, f"worker{n}") for n in range(max(1, workers))]
        return _wait(children, engine, job["run_id"], progress)
    finally:
        client.delete(JOB_KEY)
        ledger.clear()


def join_crawl(redis_url: str, db_url: str | None = None) -> int:
    """Be one more worker of the distributed crawl that is running now (e.g. on another machine)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        raw = client.get(JOB_KEY)
    except redis.RedisError as exc:
        raise KapdirError(f"cannot reach Redis at {redis_url}: {exc}") from exc
    if raw is None:
        raise KapdirError(f"no distributed crawl is running on {redis_url}")
    job = json.loads(raw)
    if db_url:
        job["db_url"] = db_url
    with tempfile.TemporaryDirectory(prefix="kapdir-worker-") as tmp:
        child = _spawn(job, Path(tmp), "worker")
        child.wait()
        if failure := child.failure():
            raise KapdirError(f"worker failed: {failure}")
    return job["run_id"]


# --- the command line ---------------------------------------------------------------------------


def crawl_command(
    seeds: list[str],
    listings: list[str],
    proxy: str | None,
    db: Path | None,
    as_json: bool,
    redis_url: str | None = None,
    workers: int = 2,
    join: bool = False,
    trust_listing: bool = False,
) -> None:
    from rich.console import Console
    from rich.progress import Progress as Bar
    from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

    db_url = resolve_url(db)
    if join:
        if not redis_url:
            raise KapdirError("--join needs --redis URL")
        run_id = join_crawl(redis_url, db_url if db is not None else None)
        Console(stderr=True).print(f"worker finished its share of crawl run {run_id}")
        return
    seed_origins = read_seed_args(seeds)
    for url in listings:
        check_seed(url)
    upgrade(db_url)
    urls = list(seed_origins)
    if not urls and not listings:
        urls = active_seeds(db_url)
        if not urls:
            raise KapdirError("no seeds: pass --seeds URL|FILE or --listing URL, or add seeds in the admin area")
    else:
        from crawler.pipelines.listing import save_seeds

        with Session(get_engine(db_url)) as session:
            for origin in ("cli", "file"):
                save_seeds(session, {u: None for u, o in seed_origins.items() if o == origin}, origin=origin)
            session.commit()

    console = Console(stderr=True)
    with Bar(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
             transient=True) as bar:
        task = bar.add_task(f"crawling {len(urls)} sites", total=None)

        def show(snapshot: dict[str, Any]) -> None:
            errors = sum(snapshot["errors"].values())
            bar.update(task, description=f"crawling {len(urls)} sites: {snapshot['pages']} pages, {errors} errors")

        result = run_crawl(db_url, urls, listings, proxy, redis_url=redis_url, workers=workers, progress=show,
                           trust_listing=trust_listing, seeds_checked=True)
    if as_json:
        print(json.dumps(result, indent=2, default=str))
        return
    _print_summary(result)
    if result["status"] != "finished":
        raise KapdirError(result["message"] or "crawl failed")


def _print_summary(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"crawl run {result['run_id']} ({result['status']}, {result['duration_s']} s)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key in ("sites", "practices", "stale", "pages", "new", "changed", "unchanged", "gone"):
        table.add_row(key, str(result[key]))
    for kind, count in result["errors"].items():
        table.add_row(f"errors: {kind}", str(count))
    Console().print(table)


# --- inside the child process -------------------------------------------------------------------


def _settings_with(overrides: dict[str, Any]) -> tuple[Settings, dict[str, Any]]:
    fields = {key: value for key, value in overrides.items() if key in Settings.model_fields}
    scrapy_overrides = {key: value for key, value in overrides.items() if key.isupper()}
    return get_settings().model_copy(update=fields), scrapy_overrides


def _sqlite_normal_sync(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def quiet_scrapy_loggers(level: str) -> None:
    """Scrapy filters by LOG_LEVEL in its root handler only (the root logger is left at NOTSET), so every debug
    line ("Crawled (200) ...", "Scraped from ...") was still built as a log record, twice a page, and dropped."""
    for name in ("scrapy", "twisted"):
        logging.getLogger(name).setLevel(level)


def child_main(job: dict[str, Any]) -> None:
    from scrapy.crawler import CrawlerProcess

    from crawler.context import CrawlContext
    from crawler.ledger import MemoryLedger, RedisLedger
    from crawler.pipelines.extract import extraction_workers
    from crawler.settings import scrapy_settings
    from crawler.spiders.listing import ListingSpider
    from crawler.spiders.practice import PracticeSpider
    from crawler.writer import SiteWriter

    settings, scrapy_overrides = _settings_with(job.get("overrides", {}))
    redis_url = job.get("redis_url")
    values = scrapy_settings(settings, proxy=job.get("proxy"), redis_url=redis_url, run_id=job["run_id"],
                             overrides=scrapy_overrides)
    if job["mode"] == "listing":
        values.pop("SCHEDULER", None)
        values.pop("DUPEFILTER_CLASS", None)
    engine = get_engine(job["db_url"])
    if engine.dialect.name == "sqlite":
        # WAL with synchronous=NORMAL stays consistent; a power cut may lose the last commits of a crawl, which
        # the next crawl redoes. Saves an fsync per stored site.
        event.listen(engine, "connect", _sqlite_normal_sync)
    if job["mode"] == "worker":
        import redis

        ledger = RedisLedger(redis.Redis.from_url(redis_url), job["run_id"])
    else:
        ledger = MemoryLedger()
    context = CrawlContext(engine=engine, run_id=job["run_id"], settings=settings, ledger=ledger)
    process = CrawlerProcess(values)
    quiet_scrapy_loggers(values["LOG_LEVEL"])
    if job["mode"] == "listing":
        crawler = process.create_crawler(ListingSpider)
        process.crawl(crawler, context=context, listings=job["listings"], trust=job.get("trust_listing", False),
                      max_seeds=settings.listing_seed_cap)
        process.start()
        print(json.dumps(sorted(crawler.spider.discovered)))
        return
    seeds = {site_key(url): url for url in job["seeds"]}
    if job["mode"] == "practice":
        ledger.register_seeds(seeds)
        context.max_open_sites = values["KAPDIR_OPEN_SITES"]  # workers share one queue: no per-process limit
    context.load_known_pages(set(seeds))
    context.extract_workers = extraction_workers(settings.extract_processes, settings.extract_timeout_s)
    if values["KAPDIR_STORE_BATCH"] > 0:
        context.writer = SiteWriter(job["db_url"], job["run_id"], values["KAPDIR_STORE_BATCH"])
    try:
        process.crawl(PracticeSpider, context=context)
        process.start()
    finally:
        if context.extract_workers is not None:
            context.extract_workers.shutdown()
        if context.writer is not None:
            context.writer.close()  # every finished site stored before the run is finished


if __name__ == "__main__":
    child_main(json.loads(Path(sys.argv[1]).read_text()))
