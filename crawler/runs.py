"""Crawl-run bookkeeping: create a run, keep its live counts, finish it, summarise it."""

from sqlalchemy import func
from sqlmodel import Session, select

from directory.models import CrawlRun, FetchLog, Practice
from directory.store import practices_in_run
from directory.timeutil import utcnow
from directory.vocab import FetchOutcome

NOT_ERRORS = (FetchOutcome.OK.value, FetchOutcome.NOT_MODIFIED.value)
NOT_SENT = (FetchOutcome.ROBOTS_DISALLOWED.value, FetchOutcome.ROBOTS_UNREACHABLE.value)  # refused by robots.txt


def create_run(session: Session, seeds: list[str], spider: str = "practice") -> CrawlRun:
    run = CrawlRun.model_validate({"spider": spider, "seeds": seeds, "status": "running"})
    session.add(run)
    session.commit()
    session.refresh(run)
    return run


def refresh_counts(session: Session, run_id: int) -> None:
    """Pages fetched and errors by kind, recounted from the fetch log (safe with several writers)."""
    rows = session.exec(
        select(FetchLog.outcome, func.count()).where(FetchLog.crawl_run_id == run_id).group_by(FetchLog.outcome)
    ).all()
    run = session.get(CrawlRun, run_id)
    if run is None:
        return
    run.pages = sum(count for outcome, count in rows if outcome not in NOT_SENT)
    run.errors = {outcome: count for outcome, count in sorted(rows) if outcome not in NOT_ERRORS}
    session.add(run)


def finish_run(session: Session, run_id: int, *, status: str, message: str | None = None) -> CrawlRun:
    refresh_counts(session, run_id)
    run = session.get(CrawlRun, run_id)
    run.finished_at = utcnow()
    run.duration_s = round((run.finished_at - run.started_at).total_seconds(), 3)
    run.status = status
    run.message = message
    session.add(run)
    session.commit()
    session.refresh(run)
    return run


def summary(session: Session, run: CrawlRun) -> dict:
    site_keys = sorted({_host(url) for url in run.seeds})
    stale = session.exec(
        select(func.count(Practice.id)).where(Practice.key.in_(site_keys), Practice.stale.is_(True))
    ).one() if site_keys else 0
    return {
        "run_id": run.id,
        "status": run.status,
        "sites": len(site_keys),
        "pages": run.pages,
        "new": run.new,
        "changed": run.changed,
        "unchanged": run.unchanged,
        "gone": run.gone,
        "errors": dict(run.errors or {}),
        "practices": practices_in_run(session, run),
        "stale": stale,
        "duration_s": run.duration_s,
        "message": run.message,
    }


def _host(url: str) -> str:
    from crawler.links import site_key

    return site_key(url)
