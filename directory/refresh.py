"""``kapdir refresh``: one schedulable command that keeps the directory fresh (issue 15).

One refresh, in this order, under the crawl, sync and verify job locks:

1. **seeds**: the active seeds; with none configured, the bundled list (``settings.seeds_file``, default
   ``directory/data/seeds/us-kap.txt``) is added to the seeds table first (the admin sees and edits it there).
2. **crawl the sites that are due** (``SiteSchedule``): a site that changed is re-crawled after
   ``settings.recrawl_days``; each crawl in a row that found it unchanged doubles the wait, up to
   ``recrawl_max_days``; a failing site backs off from ``recrawl_retry_hours``, doubling. The crawl is the ordinary
   one (``crawler.run.run_crawl``): pages that did not change cost a conditional request each.
3. **sync the sources that are due** (``[refresh]`` and ``publishes_every_days`` in ``sources.toml``): a roster is
   asked whether it has a new edition (rowsUpdatedAt / Last-Modified; nothing is downloaded when it has not), the
   LEIE only a month after its current edition; look-ups run only for queries not answered recently.
4. **verify what is due** (``verify_all(due_only=True)``), then hand the run to the change-event delivery when
   that module exists (``directory.changes.deliver_after_refresh(engine)``).

Each refresh is one ``RefreshRun`` row with the summary of every part. A refresh right after another finds
nothing due and says when something next is.
"""

import importlib
import importlib.util
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from directory.db import finish_run_record, get_engine, session_scope, upgrade
from directory.errors import KapdirError
from directory.models import (
    Change,
    CrawlRun,
    LookupCache,
    Practice,
    RefreshRun,
    Seed,
    SiteSchedule,
    SourceSync,
    Verification,
)
from directory.safetext import printable
from directory.settings import get_settings
from directory.timeutil import utcnow

# --- when each thing is due -----------------------------------------------------------------------


@dataclass
class Due:
    """One thing refresh may do (crawl a site, sync a source), when, and why then."""

    name: str  # site key or source name
    at: datetime  # due from this moment (in the past: due now)
    reason: str
    url: str | None = None  # sites: the seed URL

    def is_due(self, now: datetime) -> bool:
        return self.at <= now


def _hours(value: float) -> timedelta:
    return timedelta(hours=value)


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else "never"


def site_interval(outcome: str, *, unchanged_streak: int, failures: int) -> tuple[timedelta, str]:
    """How long after a crawl with this outcome the site is due again, and why (plain English)."""
    settings = get_settings()
    longest = timedelta(days=settings.recrawl_max_days)
    if outcome == "failed":
        wait = min(_hours(settings.recrawl_retry_hours * 2 ** max(0, failures - 1)), longest)
        return wait, f"failed {failures} time(s) in a row: retry after {_span(wait)}"
    if outcome == "unchanged":
        wait = min(timedelta(days=settings.recrawl_days * 2 ** unchanged_streak), longest)
        return wait, f"unchanged {unchanged_streak} crawl(s) in a row: again after {_span(wait)}"
    wait = min(timedelta(days=settings.recrawl_days), longest)
    return wait, f"changed at its last crawl: again after {_span(wait)}"


def _span(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g} h" if hours < 48 else f"{hours / 24:g} days"


def active_site_seeds(session: Session) -> dict[str, str]:
    """Site key -> the first active seed URL of that site."""
    from crawler.links import site_key

    out: dict[str, str] = {}
    for url in session.exec(select(Seed.url).where(Seed.active.is_(True)).order_by(Seed.id)):
        out.setdefault(site_key(url), url)
    return out


def site_plan(session: Session, now: datetime) -> list[Due]:
    """Every active site and when it is due (sites refresh never saw: from what the crawl recorded)."""
    seeds = active_site_seeds(session)
    if not seeds:
        return []
    schedules = {row.site: row for row in session.exec(select(SiteSchedule).where(SiteSchedule.site.in_(list(seeds))))}
    practices = {p.key: p for p in session.exec(select(Practice).where(Practice.key.in_(list(seeds))))}
    recrawl = timedelta(days=get_settings().recrawl_days)
    plan = []
    for site, url in seeds.items():
        schedule, practice = schedules.get(site), practices.get(site)
        crawled = practice.last_crawled if practice and not practice.stale else None
        if schedule is not None and schedule.next_due_at is not None:
            at, reason = schedule.next_due_at, schedule.reason or "scheduled"
            if crawled and schedule.last_attempt_at and crawled > schedule.last_attempt_at and crawled + recrawl > at:
                at, reason = crawled + recrawl, f"crawled {_when(crawled)} outside refresh"
        elif crawled is not None:
            at, reason = crawled + recrawl, f"last crawled {_when(crawled)}"
        elif practice is not None:
            at, reason = now, "its last crawl failed"
        else:
            at, reason = now, "never crawled"
        plan.append(Due(site, at, reason, url=url))
    return plan


def _roster_sources():
    from directory.boards.registry import all_sources

    return [info for info in all_sources() if info.method == "roster" and info.configured]


def source_plan(session: Session, now: datetime) -> list[Due]:
    """Every configured roster source and when refresh should ask it for a new edition (see sources.toml)."""
    from directory.boards.registry import refresh_policy

    policy = refresh_policy()
    check = _hours(policy.check_every_hours)
    plan = []
    for info in _roster_sources():
        syncs = session.exec(
            select(SourceSync).where(SourceSync.source == info.name, SourceSync.status != "running")
            .order_by(SourceSync.id.desc()).limit(50)).all()
        if not syncs:
            plan.append(Due(info.name, now, "never synced"))
            continue
        last = syncs[0]
        checked = last.finished_at or last.started_at
        if last.status != "ok":
            failures = next((n for n, sync in enumerate(syncs) if sync.status == "ok"), len(syncs))
            wait = min(_hours(policy.retry_after_hours * 2 ** (failures - 1)), check)
            plan.append(Due(info.name, checked + wait,
                            f"last sync {last.status} ({failures} in a row): retry after {_span(wait)}"))
            continue
        at, reason = checked + check, f"asked {_when(checked)}: asked every {_span(check)}"
        if info.publishes_every_days and last.source_as_of:
            expected = last.source_as_of + timedelta(days=info.publishes_every_days)
            if expected > at:
                at, reason = expected, (f"edition of {last.source_as_of:%Y-%m-%d}: the next is expected "
                                        f"{info.publishes_every_days} days later")
        plan.append(Due(info.name, at, reason))
    return plan


def next_due(session: Session, now: datetime) -> tuple[datetime | None, str]:
    """The earliest moment something is due after ``now`` (a site, a source, a verdict, a look-up), and what."""
    candidates: list[tuple[datetime, str]] = []
    sites = site_plan(session, now)
    if sites:
        first = min(sites, key=lambda d: d.at)
        candidates.append((first.at, f"site {first.name}"))
    sources = source_plan(session, now)
    if sources:
        first = min(sources, key=lambda d: d.at)
        candidates.append((first.at, f"source {first.name}"))
    expiry = session.exec(select(func.min(Verification.expires_at)).where(Verification.expires_at > now)).one()
    if expiry is not None:
        candidates.append((expiry, "a verdict's re-check"))
    oldest = session.exec(select(func.min(LookupCache.fetched_at))).one()
    if oldest is not None:
        candidates.append((oldest + timedelta(days=get_settings().lookup_cache_ttl_days), "a look-up"))
    if not candidates:
        return None, ""
    at, what = min(candidates, key=lambda item: item[0])
    return max(at, now), what


# --- seeds ----------------------------------------------------------------------------------------


def seed_from_file_if_none(engine: Engine) -> dict[str, Any]:
    """With no active seed configured, add the sites of the seed list (``settings.seeds_file``, default the bundled
    ``directory/data/seeds/us-kap.txt``; format and checks: ``directory.seeds``) to the seeds table, origin "file".
    A list that cannot be read is a problem in the result (the refresh still syncs and verifies)."""
    from crawler.pipelines.listing import save_seeds
    from directory.seeds import SEED_LIST, load_seed_list

    with session_scope(engine) as session:
        if session.exec(select(func.count()).select_from(Seed).where(Seed.active.is_(True))).one():
            return {}
        path = get_settings().seeds_file or SEED_LIST
        try:
            sites = load_seed_list(path)
        except KapdirError as exc:
            return {"seeds_file": str(path), "added": 0, "problems": [str(exc)]}
        before = session.exec(select(func.count()).select_from(Seed)).one()
        save_seeds(session, dict.fromkeys(site.url for site in sites), origin="file")
        session.commit()
        added = session.exec(select(func.count()).select_from(Seed)).one() - before
    return {"seeds_file": str(path), "added": added, "problems": []}


# --- the parts ------------------------------------------------------------------------------------


@dataclass
class Summary:
    """What one refresh did; ``as_dict`` is the JSON summary and the run's ``parts``."""

    run_id: int
    status: str = "running"
    seeds: dict[str, Any] = field(default_factory=dict)
    sites: dict[str, Any] = field(default_factory=dict)
    crawl: dict[str, Any] | None = None
    sources: dict[str, Any] = field(default_factory=dict)
    verify: dict[str, Any] | None = None
    delivery: dict[str, Any] | None = None
    failures: list[str] = field(default_factory=list)
    next_due_at: datetime | None = None
    next_due: str = ""
    message: str = ""

    @property
    def nothing_due(self) -> bool:
        return not (self.sites.get("due") or self.sources.get("due") or self.sources.get("synced")
                    or (self.verify or {}).get("rechecked"))

    def line(self) -> str:
        crawled, synced = self.sites.get("crawled", 0), self.sources.get("synced", 0)
        rechecked = (self.verify or {}).get("rechecked", 0)
        counts = f"{crawled} sites crawled, {synced} sources synced, {rechecked} claims re-verified"
        head = "nothing due" if self.nothing_due and not self.failures else "refreshed"
        if head == "refreshed":
            details = []
            if self.sites.get("due"):
                details.append(f"sites: {self.sites['changed']} changed, {self.sites['unchanged']} unchanged, "
                               f"{self.sites['failed']} failed")
            if self.sources.get("due"):
                details.append(f"sources: {self.sources['checked']} asked, {self.sources['unchanged']} unchanged")
            counts += f" ({'; '.join(details)})" if details else ""
        following = (f"next due at {_when(self.next_due_at)} ({self.next_due})" if self.next_due_at
                     else "nothing scheduled")
        text = f"{head}: {counts}; {following}"
        if (self.delivery or {}).get("error"):
            text += f"; change delivery: {self.delivery['error']}"
        if self.failures:
            more = f"; and {len(self.failures) - 3} more" if len(self.failures) > 3 else ""
            text += f"; {len(self.failures)} part(s) failed: {'; '.join(self.failures[:3])}{more}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "status": self.status, "nothing_due": self.nothing_due, "seeds": self.seeds,
            "sites": self.sites, "crawl": self.crawl, "sources": self.sources, "verify": self.verify,
            "delivery": self.delivery, "failures": self.failures,
            "next_due_at": self.next_due_at.isoformat(timespec="seconds") if self.next_due_at else None,
            "next_due": self.next_due, "message": self.message or self.line(),
        }


def _site_outcome(session: Session, site: str, run: CrawlRun | None) -> str:
    """changed | unchanged | failed: what the crawl run recorded for this site."""
    practice = session.exec(select(Practice).where(Practice.key == site)).first()
    if run is None or practice is None or practice.stale:
        return "failed"
    if practice.last_crawled is None or practice.last_crawled < run.started_at:
        return "failed"  # the run ended before storing it
    changed = session.exec(select(func.count()).select_from(Change).where(
        Change.practice_id == practice.id, Change.crawl_run_id == run.id)).one()
    return "changed" if changed else "unchanged"


def record_site_outcomes(engine: Engine, due: list[Due], outcomes: dict[str, str], crawl_run_id: int | None
                         ) -> dict[str, int]:
    """Write each attempted site's schedule from its outcome (``outcomes``: site -> outcome, when already known).
    The attempt is dated when it ended, so a crawl outside refresh is one that stored the site later."""
    counts = {"changed": 0, "unchanged": 0, "failed": 0}
    now = utcnow()
    with session_scope(engine) as session:
        run = session.get(CrawlRun, crawl_run_id) if crawl_run_id else None
        for item in due:
            outcome = outcomes.get(item.name) or _site_outcome(session, item.name, run)
            counts[outcome] += 1
            row = session.exec(select(SiteSchedule).where(SiteSchedule.site == item.name)).first()
            if row is None:
                row = SiteSchedule(site=item.name, url=item.url or "")
            row.url = item.url or row.url
            row.unchanged_streak = row.unchanged_streak + 1 if outcome == "unchanged" else 0
            row.failures = row.failures + 1 if outcome == "failed" else 0
            wait, reason = site_interval(outcome, unchanged_streak=row.unchanged_streak, failures=row.failures)
            row.last_attempt_at, row.last_outcome, row.crawl_run_id = now, outcome, crawl_run_id
            row.next_due_at, row.reason = now + wait, reason
            session.add(row)
        session.commit()
    return counts


def crawl_due_sites(engine: Engine, db_url: str, due: list[Due], summary: Summary, *, proxy: str | None,
                    progress) -> None:
    from crawler.run import SEED_CHECK_THREADS, check_seed, run_crawl

    def checked(url: str) -> str | KapdirError:
        try:
            return check_seed(url)
        except KapdirError as exc:  # e.g. a listed site whose name no longer resolves: it backs off, the rest go on
            return exc

    refused: dict[str, str] = {}
    urls = []
    with ThreadPoolExecutor(max_workers=SEED_CHECK_THREADS, thread_name_prefix="seed-check") as pool:
        answers = list(pool.map(checked, [item.url for item in due]))  # each waits on a DNS lookup
    for item, answer in zip(due, answers, strict=True):
        if isinstance(answer, KapdirError):
            refused[item.name] = "failed"
            summary.sites.setdefault("refused", []).append(str(answer)[:300])
        else:
            urls.append(answer)
    crawl_run_id = None
    if urls:
        try:
            summary.crawl = run_crawl(db_url, urls, proxy=proxy, progress=progress, seeds_checked=True)
            crawl_run_id = summary.crawl["run_id"]
            if summary.crawl["status"] != "finished":
                summary.failures.append(f"crawl: {summary.crawl.get('message') or summary.crawl['status']}")
        except KapdirError as exc:
            summary.failures.append(f"crawl: {exc}")
            refused.update({item.name: "failed" for item in due})
    summary.sites.update(record_site_outcomes(engine, due, refused, crawl_run_id))
    summary.sites["crawled"] = len(urls) if crawl_run_id else 0


def sync_due_sources(engine: Engine, due: list[Due], summary: Summary, *, show_progress: bool) -> None:
    """Ask the due rosters for a new edition, then run the look-ups not answered recently."""
    from directory.boards.commands import run_sync
    from directory.boards.registry import all_sources

    lookups = [info.name for info in all_sources() if info.method == "lookup" and info.configured]
    names = [item.name for item in due] + lookups
    results = run_sync(engine, names, show_progress=show_progress) if names else []
    rosters = [r for r in results if r.get("kind") == "roster"]
    asked = [r for r in results if r.get("kind") == "lookup" and r.get("status") != "cached"]
    failed = [r for r in results if r.get("status") in {"error", "refused"}]
    summary.sources.update({
        "checked": len(rosters),
        "synced": sum(1 for r in rosters if r["status"] == "ok" and not r.get("unchanged"))
        + sum(1 for r in asked if r["status"] == "ok"),
        "unchanged": sum(1 for r in rosters if r["status"] == "ok" and r.get("unchanged")),
        "lookups": sum(r.get("queries", 0) - r.get("cached", 0) for r in results if r.get("kind") == "lookup"),
        "failed": [r["source"] for r in failed],
        "lines": [r.get("line") or f"{r['source']}: {r['status']}" for r in results
                  if r.get("kind") == "roster" or r.get("status") != "cached"],
    })
    summary.failures += [f"source {r['source']}: {r.get('error') or r['status']}" for r in failed]


def deliver_changes(engine: Engine, summary: Summary) -> None:
    """The hook for change events (issue 15, part 2): when ``directory.changes`` offers
    ``deliver_after_refresh(engine)``, call it now that the verdicts are fresh (it sends what changed since its
    last delivery). It must never fail a refresh: its retries and backoff are its own; a failure is noted."""
    if importlib.util.find_spec("directory.changes") is None:  # a checkout without change events
        return
    try:
        changes = importlib.import_module("directory.changes")
    except ImportError as exc:  # present but broken (e.g. a dependency missing): say so, never mistake it for absent
        summary.delivery = {"status": "error", "error": f"cannot load the change events: {exc}"}
        return
    deliver = getattr(changes, "deliver_after_refresh", None)
    if deliver is None:
        return
    try:
        result = deliver(engine)
    except (KapdirError, OSError, ValueError) as exc:
        summary.delivery = {"status": "error", "error": str(exc)[:300]}
        return
    summary.delivery = result if isinstance(result, dict) else {"status": "ok", "result": result}


# --- the run --------------------------------------------------------------------------------------


def _start(engine: Engine) -> int:
    """Close refreshes an earlier process left running (we hold every job lock: none is alive), start ours."""
    with engine.begin() as connection:
        table = RefreshRun.__table__
        connection.execute(update(table).where(table.c.status == "running").values(
            status="failed", finished_at=utcnow(), message="interrupted: the process ended before finishing"))
    with session_scope(engine) as session:
        run = RefreshRun()
        session.add(run)
        session.commit()
        return run.id


def run_refresh(db_url: str, *, proxy: str | None = None, quiet: bool = True, show_progress: bool = False
                ) -> Summary:
    """One refresh of the directory at ``db_url`` (see the module docstring). The caller holds the crawl, sync
    and verify job locks. Parts that fail are recorded and the others still run; ``summary.failures`` says which.
    Unless ``quiet``, a line per part goes to stderr; ``show_progress`` adds live bars (a terminal)."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from directory.verification import verify_all

    console = Console(stderr=True, quiet=quiet, markup=False, highlight=False)  # lines carry outside text
    upgrade(db_url)
    engine = get_engine(db_url)
    summary = Summary(run_id=_start(engine))
    try:
        summary.seeds = seed_from_file_if_none(engine)
        if summary.seeds.get("added"):
            console.print(f"no seeds configured: added {summary.seeds['added']} sites from "
                          f"{summary.seeds['seeds_file']}")
        now = utcnow()
        with session_scope(engine) as session:
            sites = site_plan(session, now)
            sources = source_plan(session, now)
        due_sites = [d for d in sites if d.is_due(now)]
        due_sources = [d for d in sources if d.is_due(now)]
        summary.sites = {"active": len(sites), "due": len(due_sites), "crawled": 0, "changed": 0, "unchanged": 0,
                         "failed": 0}
        summary.sources = {"configured": len(sources), "due": len(due_sources),
                           "due_names": [d.name for d in due_sources], "checked": 0, "synced": 0, "unchanged": 0,
                           "lookups": 0, "failed": []}
        if not sites:
            problem = (summary.seeds.get("problems") or [""])[0]
            summary.failures.append(f"no seeds: {problem}" if problem else "no seeds: add seeds in the admin "
                                    "area or with `kapdir crawl --seeds`, or set KAPDIR_SEEDS_FILE")

        if due_sites:
            with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                          transient=True, disable=quiet or not show_progress) as bar:
                task = bar.add_task(f"crawling {len(due_sites)} due sites of {len(sites)}", total=None)

                def show(snapshot: dict[str, Any]) -> None:
                    errors = sum(snapshot["errors"].values())
                    bar.update(task, description=f"crawling {len(due_sites)} due sites of {len(sites)}: "
                                                 f"{snapshot['pages']} pages, {errors} errors")

                crawl_due_sites(engine, db_url, due_sites, summary, proxy=proxy, progress=show)
            console.print(f"crawl: {summary.sites['crawled']} sites ({summary.sites['changed']} changed, "
                          f"{summary.sites['unchanged']} unchanged, {summary.sites['failed']} failed)")
        else:
            console.print(f"crawl: none of {len(sites)} sites is due")

        console.print(f"sources: {len(due_sources)} of {len(sources)} rosters due"
                      + (f" ({', '.join(d.name for d in due_sources)})" if due_sources else "") + "; look-ups")
        sync_due_sources(engine, due_sources, summary, show_progress=show_progress and not quiet)
        for line in summary.sources.get("lines", []):
            console.print(f"  {printable(line)}")  # board text: no terminal escapes

        with console.status("verifying what is due ..."):
            summary.verify = verify_all(engine, due_only=True)
        console.print(f"verify: {summary.verify['rechecked']} of {summary.verify['claims']} claims re-verified")

        deliver_changes(engine, summary)
        with session_scope(engine) as session:
            summary.next_due_at, summary.next_due = next_due(session, utcnow())
        summary.status = "failed" if summary.failures else "finished"
    except BaseException as exc:
        summary.status = "failed"
        summary.failures.append((str(exc).strip().splitlines() or [type(exc).__name__])[0][:300])
        _finish(engine, summary)
        raise
    _finish(engine, summary)
    return summary


def _finish(engine: Engine, summary: Summary) -> None:
    summary.message = summary.line()
    parts = json.loads(json.dumps(summary.as_dict(), default=str))
    finish_run_record(
        engine, RefreshRun, summary.run_id, status=summary.status,
        sites_due=summary.sites.get("due", 0), sites_crawled=summary.sites.get("crawled", 0),
        sources_checked=summary.sources.get("checked", 0), sources_synced=summary.sources.get("synced", 0),
        claims_rechecked=(summary.verify or {}).get("rechecked", 0),
        crawl_run_id=(summary.crawl or {}).get("run_id"), verify_run_id=(summary.verify or {}).get("run_id"),
        parts=parts, next_due_at=summary.next_due_at, message=summary.message[:2000])


# --- the command and the admin page ---------------------------------------------------------------


def refresh_command(db: Path | None, as_json: bool, proxy: str | None) -> None:
    """``kapdir refresh``: progress on stderr (a terminal), the summary line or one JSON object on stdout; exit 1
    when a part failed (after everything else was done and recorded)."""
    import sys

    import typer

    from directory.db import resolve_url

    if proxy is not None:
        parts = urlsplit(proxy)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise KapdirError(f"--proxy must be an http(s) URL such as http://127.0.0.1:8080, not {proxy[:80]!r}")
    summary = run_refresh(resolve_url(db), proxy=proxy, quiet=as_json,
                          show_progress=not as_json and sys.stderr.isatty())
    if as_json:
        typer.echo(json.dumps(summary.as_dict(), indent=2, default=str))
    else:
        typer.echo(summary.line())
    if summary.failures:
        raise KapdirError(f"refresh run {summary.run_id}: {len(summary.failures)} part(s) failed: "
                          f"{summary.failures[0]}" + (" (and more)" if len(summary.failures) > 1 else ""))


def refresh_status(session: Session, *, now: datetime | None = None) -> dict[str, Any]:
    """For the admin page: the last refresh (if any), what is due now and when the next thing is."""
    now = now or utcnow()
    last = session.exec(select(RefreshRun).order_by(RefreshRun.id.desc()).limit(1)).first()
    sites = site_plan(session, now)
    sources = source_plan(session, now)
    at, what = next_due(session, now)
    return {
        "last": None if last is None else {
            "id": last.id, "status": last.status, "started_at": last.started_at, "finished_at": last.finished_at,
            "sites_crawled": last.sites_crawled, "sources_synced": last.sources_synced,
            "claims_rechecked": last.claims_rechecked, "message": last.message or "",
        },
        "sites_due": sum(1 for d in sites if d.is_due(now)), "sites": len(sites),
        "sources_due": [d.name for d in sources if d.is_due(now)],
        "verdicts_due": session.exec(select(func.count()).select_from(Verification)
                                     .where(Verification.expires_at <= now)).one(),
        "next_due_at": at, "next_due": what, "due_now": at is not None and at <= now,
    }
