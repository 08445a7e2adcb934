"""Webhook delivery: ``KAPDIR_WEBHOOK_URL`` receives one JSON POST per batch of new change events.

- Events are put into batches once: ``WebhookEvent`` is unique per (webhook, event id), so no event is ever in two
  batches, even when two deliveries run at once. A batch is re-sent only until it got a 2xx answer; its
  ``batch_id`` (also the ``X-Kapdir-Batch`` header) lets a receiver drop a repeat when its own 2xx was lost.
- The first delivery to a webhook records the events already there as its starting point ("baseline") and sends
  none of them: a webhook hears of what changes from then on.
- A failed POST is retried with backoff within a bounded time budget, then left pending with a
  ``next_attempt_at`` (doubling, capped), and tried again by the next delivery. Later batches wait behind it.
- Every POST obeys the egress policy (``directory.egress``): private and loopback hosts are refused unless
  ``KAPDIR_ALLOW_PRIVATE_HOSTS=true``.
- ``deliver_after_refresh`` never raises and never takes longer than its budget: a refresh calls it last.
"""

import hashlib
import http.client
import json
import socket
import ssl
import threading
import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from directory import egress
from directory.changes.events import derive_events
from directory.changes.watch import watches_of_practices
from directory.db import session_scope
from directory.models import WebhookBatch, WebhookEvent
from directory.settings import get_settings
from directory.timeutil import utcnow

BATCH_MAX_EVENTS = 100
REQUEST_TIMEOUT_S = 10.0
TRIES_PER_DELIVERY = 3  # POSTs of one batch within one delivery (backoff between them)
LATER_BACKOFF_S = 60.0  # first wait before the next delivery retries a failed batch; doubles per failure
LATER_BACKOFF_CAP_S = 6 * 3600.0
LEASE_S = 300.0  # a sender holds a batch this long at most (a killed sender's batch is free again after it)
# Each delivery derives the events from a day before its last batch on (the ids already given are skipped): an
# event stamped before that batch but committed after it (a long verify run) is still found.
CLOCK_MARGIN = timedelta(days=1)


def target_of(url: str) -> tuple[str, str]:
    """(stored key, readable label) of a webhook URL: a hash (the URL may hold a secret) and scheme://host."""
    parts = urlsplit(url.strip())
    label = f"{parts.scheme}://{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    return hashlib.sha256(url.strip().encode()).hexdigest(), label


def deliver_after_refresh(engine: Engine, *, url: str | None = None, budget_s: float = 30.0,
                          retry_base_s: float = 1.0, now: datetime | None = None) -> dict[str, Any]:
    """Queue the change events the webhook has not been given, then POST the due batches.

    Call it after ``kapdir refresh`` has verified. Never raises: failures are in the returned summary
    (``{"configured", "target", "baseline", "queued", "sent", "pending", "error"}``) and in the batches' state."""
    url = (url if url is not None else get_settings().webhook_url) or ""
    if not url.strip():
        return {"configured": False}
    try:
        target, label = target_of(url)
    except ValueError as exc:
        return {"configured": True, "target": None, "error": f"KAPDIR_WEBHOOK_URL is not a URL: {exc}"}
    summary: dict[str, Any] = {"configured": True, "target": label, "baseline": 0, "queued": 0, "sent": 0,
                               "pending": 0, "error": None}
    deadline = time.monotonic() + budget_s
    try:
        egress.check_url(url.strip(), egress.current_policy())  # say so now, even with nothing to send yet
    except egress.BlockedAddress as exc:
        summary["error"] = f"KAPDIR_WEBHOOK_URL refused: {exc}"  # events are still queued, for a fixed setting
    try:
        queue_events(engine, target, label, now=now, summary=summary)
        send_due(engine, url.strip(), target, deadline=deadline, retry_base_s=retry_base_s, now=now,
                 summary=summary)
        with session_scope(engine) as session:
            summary["pending"] = session.exec(select(func.count()).select_from(WebhookBatch).where(
                WebhookBatch.target == target, WebhookBatch.status == "pending")).one()
    except Exception as exc:  # noqa: BLE001 - the contract: a delivery problem never fails the refresh calling it
        summary["error"] = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return summary


def queue_events(engine: Engine, target: str, label: str, *, now: datetime | None = None,
                 summary: dict[str, Any] | None = None) -> int:
    """Put every event not yet given to this webhook into new batches (or into the baseline, the first time)."""
    summary = summary if summary is not None else {}
    now = now or utcnow()
    with session_scope(engine) as session:
        latest = session.exec(select(func.max(WebhookBatch.created_at)).where(WebhookBatch.target == target)).one()
        events = derive_events(session, since=(latest - CLOCK_MARGIN) if latest else None)
        given = set(session.exec(select(WebhookEvent.event_id).where(WebhookEvent.target == target)))
        fresh = sorted((e for e in events if e.id not in given), key=lambda e: (e.when, e.id))
        if latest is None:
            _add_batch(session, target, label, fresh, status="baseline", now=now, watchers={})
            summary["baseline"] = len(fresh)
            return _commit(session, len(fresh))
        watchers = watches_of_practices(session)
        for start in range(0, len(fresh), BATCH_MAX_EVENTS):
            _add_batch(session, target, label, fresh[start:start + BATCH_MAX_EVENTS], status="pending", now=now,
                       watchers=watchers)
        summary["queued"] = _commit(session, len(fresh))
        return summary["queued"]


def _commit(session: Session, count: int) -> int:
    try:
        session.commit()
    except IntegrityError:  # another delivery queued the same events meanwhile: they are queued once, by it
        session.rollback()
        return 0
    return count


def _add_batch(session: Session, target: str, label: str, events: list, *, status: str, now: datetime,
               watchers: dict[int, list[str]]) -> None:
    batch = WebhookBatch.model_validate({"target": target, "target_label": label, "status": status,
                                         "events": len(events), "created_at": now})
    session.add(batch)
    session.flush()
    if status == "pending":
        batch.payload = {
            "source": "kapdir", "batch_id": batch.id, "created_at": now.isoformat(timespec="seconds"),
            "events": [{**event.to_dict(), "watch_lists": watchers.get(event.practice_id, [])} for event in events],
        }
        session.add(batch)
    session.add_all(WebhookEvent.model_validate({"target": target, "event_id": event.id, "batch_id": batch.id})
                    for event in events)


def send_due(engine: Engine, url: str, target: str, *, deadline: float, retry_base_s: float,
             now: datetime | None = None, summary: dict[str, Any] | None = None) -> int:
    """POST this webhook's due batches, oldest first; stop at the first that still fails."""
    summary = summary if summary is not None else {}
    now = now or utcnow()
    with session_scope(engine) as session:
        due = list(session.exec(
            select(WebhookBatch.id).where(WebhookBatch.target == target, WebhookBatch.status == "pending")
            .where((col(WebhookBatch.next_attempt_at).is_(None)) | (col(WebhookBatch.next_attempt_at) <= now))
            .order_by(WebhookBatch.id)))
    sent = 0
    for batch_id in due:
        if time.monotonic() >= deadline:
            break
        if not _claim(engine, batch_id, now):
            continue  # another sender has it
        with session_scope(engine) as session:
            batch = session.get(WebhookBatch, batch_id)
            body = json.dumps(batch.payload, default=str).encode()
        ok, tries, error = _post_with_retries(url, body, batch_id, deadline=deadline, retry_base_s=retry_base_s)
        with session_scope(engine) as session:
            batch = session.get(WebhookBatch, batch_id)
            batch.attempts += tries
            batch.claimed_until = None
            if ok:
                batch.status, batch.delivered_at, batch.last_error = "delivered", utcnow(), None
            else:
                wait = min(LATER_BACKOFF_S * 2 ** max(batch.attempts - tries, 0), LATER_BACKOFF_CAP_S)
                batch.last_error = error[:500]
                batch.next_attempt_at = now + timedelta(seconds=wait)
            session.add(batch)
            session.commit()
        if not ok:
            summary["error"] = error
            break
        sent += 1
    summary["sent"] = summary.get("sent", 0) + sent
    return sent


def _claim(engine: Engine, batch_id: int, now: datetime) -> bool:
    """Atomically take the batch for this sender (compare-and-set on its lease)."""
    table = WebhookBatch.__table__
    with engine.begin() as connection:
        result = connection.execute(
            update(table).where(table.c.id == batch_id, table.c.status == "pending",
                                (table.c.claimed_until.is_(None)) | (table.c.claimed_until < utcnow()))
            .values(claimed_until=max(now, utcnow()) + timedelta(seconds=LEASE_S)))
    return (result.rowcount or 0) == 1


def _post_with_retries(url: str, body: bytes, batch_id: int, *, deadline: float,
                       retry_base_s: float) -> tuple[bool, int, str]:
    error = ""
    for attempt in range(TRIES_PER_DELIVERY):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        ok, error = post_json(url, body, batch_id, timeout=min(REQUEST_TIMEOUT_S, remaining))
        if ok:
            return True, attempt + 1, ""
        pause = retry_base_s * 2**attempt
        if attempt + 1 < TRIES_PER_DELIVERY and time.monotonic() + pause < deadline:
            time.sleep(pause)
        else:
            return False, attempt + 1, error
    return False, TRIES_PER_DELIVERY, error or "no time left to deliver"


class _Watchdog:
    """Shut the connection's socket when the whole exchange is over ``seconds``.

    http.client's timeout bounds each socket operation, not the exchange: a receiver that drips a byte of its
    answer every few seconds held the delivery, and the refresh that called it, for as long as it liked."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self.connection = connection
        self.fired = False
        self.timer = threading.Timer(seconds, self._stop)
        self.timer.daemon = True
        self.timer.start()

    def _stop(self) -> None:
        self.fired = True
        sock = self.connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked read; close() alone would not
            except OSError:
                pass

    def cancel(self) -> None:
        self.timer.cancel()


def post_json(url: str, body: bytes, batch_id: int, *, timeout: float) -> tuple[bool, str]:
    """One POST through the egress policy; (delivered, error). Redirects are not followed (a failure)."""
    try:
        target = egress.check_url(url, egress.current_policy())
    except egress.BlockedAddress as exc:
        return False, str(exc)
    parts = urlsplit(target.url)
    if target.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"Content-Type": "application/json", "User-Agent": get_settings().effective_user_agent,
               "X-Kapdir-Batch": str(batch_id), "Connection": "close"}
    watchdog = _Watchdog(connection, timeout)
    try:
        egress.pin(connection).request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
    except (OSError, http.client.HTTPException) as exc:
        if not watchdog.fired:
            return False, f"webhook {target.host}: {str(exc).strip() or type(exc).__name__}"
    finally:
        watchdog.cancel()
        connection.close()
    if watchdog.fired:  # a cut-off answer can still parse as complete: it does not count
        return False, f"webhook {target.host}: no complete answer within {timeout:.0f} s"
    if 200 <= response.status < 300:
        return True, ""
    return False, f"webhook {target.host} answered HTTP {response.status}"
