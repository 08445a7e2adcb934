"""Is a board source's data usable right now? The one freshness rule, used by the verdicts, the admin page's
source list and the "what is due" summary alike:

- a source is fresh when its latest sync did not fail and the data of its last good sync is younger than
  ``settings.source_stale_days`` (the data's own as-of date, else when it was read);
- a live roster record (it carries the hash of its roster row and was not removed) is fresh while its source is:
  every live roster record is in its source's last good sync;
- any other record (a look-up answer, a record the roster dropped) is fresh when its source is fresh and the
  record itself is younger than that window.

A record's date (``record_as_of``) is its own: ``source_as_of``, else ``fetched_at`` (when a sync last wrote
it). A roster sync stores only the rows that changed (issue 14), so an unchanged re-sync moves no record's date
and no verdict; where verdicts are shown, the source's latest good sync (``last_good_sync``) is read beside them.
A healthy source's reason carries no date for the same reason.

So the admin page can never call a source fresh while its verdicts say ``source_unavailable``.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from directory.boards.registry import source_label
from directory.models import SourceSync
from directory.settings import get_settings

OK = "ok"


@dataclass(frozen=True)
class SourceHealth:
    source: str
    available: bool
    reason: str  # plain English, stable for unchanged data (no "now" in it)
    as_of: datetime | None = None  # the data's own date (or when it was last read)


def _day(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d") if when else "an unknown date"


def data_date(sync: SourceSync) -> datetime | None:
    """The date of a sync's data: the source's own as-of date, else when the sync ran."""
    return sync.source_as_of or sync.finished_at or sync.started_at


def _window(stale_days: int | None) -> int:
    return get_settings().source_stale_days if stale_days is None else stale_days


def is_fresh(as_of: datetime | None, *, now: datetime, stale_days: int | None = None) -> bool:
    """Data dated ``as_of`` is fresh at ``now``: no older than the freshness window (an unknown date is not)."""
    return as_of is not None and as_of >= now - timedelta(days=_window(stale_days))


def source_health(session: Session, *, now: datetime, stale_days: int | None = None) -> dict[str, SourceHealth]:
    """Health of every source that ever synced (a source absent here never synced successfully)."""
    stale_days = _window(stale_days)
    latest: dict[str, SourceSync] = {}
    latest_ok: dict[str, SourceSync] = {}
    syncs = session.exec(select(SourceSync).where(SourceSync.status != "running").order_by(SourceSync.id))
    for sync in syncs:
        latest[sync.source] = sync
        if sync.status == OK:
            latest_ok[sync.source] = sync
    out: dict[str, SourceHealth] = {}
    for source, sync in latest.items():
        good = latest_ok.get(source)
        label = source_label(source)
        as_of = data_date(good) if good else None
        if good is None:
            out[source] = SourceHealth(source, False, f"{label} has never synced successfully", None)
        elif sync.status != OK:  # failed, refused, or any status this code does not know: not usable
            error = (sync.error or sync.status).splitlines()[0] if (sync.error or sync.status) else sync.status
            out[source] = SourceHealth(
                source, False, f"the last sync of {label} on {_day(sync.started_at)} failed ({error})", as_of
            )
        elif not is_fresh(as_of, now=now, stale_days=stale_days):
            out[source] = SourceHealth(
                source, False, f"the data of {label} is from {_day(as_of)}, older than {stale_days} days", as_of
            )
        else:
            out[source] = SourceHealth(source, True, f"{label}: data within {stale_days} days", as_of)
    return out


def health_of(health: dict[str, SourceHealth], source: str) -> SourceHealth:
    return health.get(source) or SourceHealth(
        source, False, f"{source_label(source)} has never synced successfully", None)


def record_as_of(record: Any) -> datetime | None:
    """The date of a record's own data (module docstring). ``record``: a LicenseRecord or a light row of its
    table."""
    return record.source_as_of or record.fetched_at


def in_live_roster(record: Any) -> bool:
    """A record of its source's last good roster sync: it carries its row's hash and was not removed."""
    return record.removed_at is None and record.row_hash is not None


def record_is_fresh(record: Any, health: Mapping[str, SourceHealth], *, now: datetime,
                    stale_days: int | None = None) -> bool:
    """The record's source is healthy and, unless the record is in its source's live roster, the record itself is
    not older than the freshness window."""
    if not health_of(dict(health), record.source).available:
        return False
    return in_live_roster(record) or is_fresh(record_as_of(record), now=now, stale_days=stale_days)


def last_good_sync(session: Session) -> dict[str, datetime]:
    """Each source's latest good sync's data date (else when it ran): "source checked" where verdicts are shown."""
    out: dict[str, datetime] = {}
    for sync in session.exec(select(SourceSync).where(SourceSync.status == OK).order_by(SourceSync.id)):
        if (when := data_date(sync)) is not None:
            out[sync.source] = when
    return out
