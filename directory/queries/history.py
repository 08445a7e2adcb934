"""Admin: crawl and sync history, source freshness, what is due."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from directory.models import (
    Clinician,
    CrawlRun,
    FetchLog,
    LicenseRecord,
    Practice,
    Seed,
    SourceSync,
    Verification,
)
from directory.settings import get_settings
from directory.timeutil import utcnow


def crawl_history(session: Session, *, limit: int = 20) -> list[dict[str, Any]]:
    runs = session.exec(select(CrawlRun).order_by(col(CrawlRun.started_at).desc(), col(CrawlRun.id).desc())
                        .limit(limit)).all()
    return [
        {"id": r.id, "started": r.started_at, "finished": r.finished_at, "status": r.status, "pages": r.pages,
         "new": r.new, "changed": r.changed, "unchanged": r.unchanged, "gone": r.gone,
         "errors": sum((r.errors or {}).values()), "duration_s": r.duration_s, "message": r.message or ""}
        for r in runs
    ]


def crawl_errors(session: Session, *, crawl_run_id: int) -> list[dict[str, Any]]:
    """Requests of one crawl run that did not end well: the errors per URL."""
    logs = session.exec(
        select(FetchLog).where(FetchLog.crawl_run_id == crawl_run_id,
                               col(FetchLog.outcome).not_in(["ok", "not_modified"]))
        .order_by(FetchLog.url)
    ).all()
    return [{"url": f.url, "status": f.status, "outcome": f.outcome, "error": f.error or "", "at": f.at} for f in logs]


def sync_history(session: Session, *, limit: int = 50) -> list[dict[str, Any]]:
    syncs = session.exec(select(SourceSync).order_by(col(SourceSync.started_at).desc(), col(SourceSync.id).desc())
                         .limit(limit)).all()
    return [
        {"id": s.id, "source": s.source, "started": s.started_at, "finished": s.finished_at, "status": s.status,
         "records": s.records, "added": s.added, "updated": s.updated, "removed": s.removed,
         "source_as_of": s.source_as_of, "error": s.error or ""}
        for s in syncs
    ]


def source_freshness(session: Session, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per source: last good sync, the source's own as-of date, records held, and whether it is fresh, by the
    same rule the verdicts use (``directory.verification.health``)."""
    from directory.verification.health import health_of, source_health

    now = now or utcnow()
    health = source_health(session, now=now)
    last_ok = dict(session.exec(
        select(SourceSync.source, func.max(SourceSync.finished_at)).where(SourceSync.status == "ok")
        .group_by(SourceSync.source)
    ).all())
    last_any = {s.source: s for s in session.exec(select(SourceSync).order_by(SourceSync.started_at)).all()}
    records = dict(session.exec(
        select(LicenseRecord.source, func.count()).where(col(LicenseRecord.removed_at).is_(None))
        .group_by(LicenseRecord.source)
    ).all())
    # The source's own date: its last sync's, else its last good sync's (a roster sync does not re-date the
    # records it found unchanged, so their newest date can be older than that sync), else its newest record's.
    good_as_of = dict(session.exec(
        select(SourceSync.source, SourceSync.source_as_of).where(SourceSync.status == "ok",
                                                                 col(SourceSync.source_as_of).is_not(None))
        .order_by(SourceSync.id)
    ).all())
    as_of = dict(session.exec(
        select(LicenseRecord.source, func.max(LicenseRecord.source_as_of)).group_by(LicenseRecord.source)
    ).all())
    rows = []
    for source in sorted(set(last_ok) | set(last_any) | set(records)):
        last = last_any.get(source)
        state = health_of(health, source)
        rows.append({
            "source": source, "last_good_sync": last_ok.get(source), "last_attempt": last.started_at if last else None,
            "last_status": last.status if last else "", "last_error": (last.error or "") if last else "",
            "source_as_of": (last.source_as_of if last and last.source_as_of
                             else good_as_of.get(source) or as_of.get(source)),
            "records": records.get(source, 0), "freshness": "fresh" if state.available else state.reason,
            "due": not state.available,
        })
    return rows


@dataclass
class DueSummary:
    verdicts_due: int
    verdicts_total: int
    practices_stale: int
    practices_not_recrawled: int
    sources_stale: list[str]
    seeds_active: int


def due_summary(session: Session, *, now: datetime | None = None, recrawl_days: int = 30) -> DueSummary:
    now = now or utcnow()
    ttl = timedelta(days=get_settings().verification_ttl_days)
    due = session.exec(
        select(func.count()).select_from(Verification)
        .where(or_(col(Verification.expires_at) <= now, col(Verification.checked_at) <= now - ttl))
    ).one()
    total = session.exec(select(func.count()).select_from(Verification)).one()
    stale = session.exec(select(func.count()).select_from(Practice).where(col(Practice.stale).is_(True))).one()
    old = session.exec(
        select(func.count()).select_from(Practice).where(
            or_(col(Practice.last_crawled).is_(None), col(Practice.last_crawled) <= now - timedelta(days=recrawl_days))
        )
    ).one()
    seeds = session.exec(select(func.count()).select_from(Seed).where(col(Seed.active).is_(True))).one()
    sources = [row["source"] for row in source_freshness(session, now=now) if row["due"]]
    return DueSummary(verdicts_due=due, verdicts_total=total, practices_stale=stale, practices_not_recrawled=old,
                      sources_stale=sources, seeds_active=seeds)


def crawl_runs_since(session: Session, *, since: datetime) -> list[dict[str, Any]]:
    """Crawl runs started at or after `since` (live progress of a crawl the admin started)."""
    runs = session.exec(select(CrawlRun).where(col(CrawlRun.started_at) >= since).order_by(CrawlRun.id)).all()
    return [
        {"id": r.id, "status": r.status, "pages": r.pages, "new": r.new, "changed": r.changed,
         "unchanged": r.unchanged, "gone": r.gone, "errors": dict(r.errors or {}), "message": r.message or ""}
        for r in runs
    ]


def syncs_since(session: Session, *, since: datetime) -> list[dict[str, Any]]:
    return [row for row in sync_history(session, limit=200) if row["started"] >= since]


def verifications_checked_since(session: Session, *, since: datetime) -> int:
    return session.exec(
        select(func.count()).select_from(Verification).where(col(Verification.checked_at) >= since)
    ).one()


def directory_counts(session: Session) -> dict[str, int]:
    def count(model) -> int:
        return session.exec(select(func.count()).select_from(model)).one()

    return {
        "practices": count(Practice), "clinicians": count(Clinician), "verdicts": count(Verification),
        "board records": count(LicenseRecord), "seeds": count(Seed), "crawl runs": count(CrawlRun),
    }
