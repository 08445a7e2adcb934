"""Webhook delivery: retried with backoff, a failed batch kept and sent by the next delivery, nothing sent twice,
never blocking (bounded, never raises), and the egress policy obeyed. Real HTTP to a receiver on loopback."""

import shutil
from datetime import timedelta

import pytest
from sqlmodel import select

from directory.changes.events import derive_events
from directory.changes.webhook import deliver_after_refresh, target_of
from directory.db import open_database, session_scope
from directory.models import WebhookBatch, WebhookEvent
from directory.settings import get_settings
from tests.changes.receiver import Receiver


@pytest.fixture
def engine(scenario, tmp_path):
    db = tmp_path / "hook.db"
    shutil.copy(scenario.db, db)
    return open_database(db)


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


def configured_before_the_change(engine, scenario, url):
    """As if this webhook had been set up before the change: its starting point holds every earlier event."""
    target, label = target_of(url)
    with session_scope(engine) as session:
        earlier = [e for e in derive_events(session) if e.when < scenario.changed_at]
        batch = WebhookBatch.model_validate({"target": target, "target_label": label, "status": "baseline",
                                             "events": len(earlier),
                                             "created_at": scenario.changed_at - timedelta(minutes=1)})
        session.add(batch)
        session.flush()
        session.add_all(WebhookEvent.model_validate({"target": target, "event_id": e.id, "batch_id": batch.id})
                        for e in earlier)
        session.commit()


def test_a_failed_post_is_retried_with_backoff_within_one_delivery(engine, scenario, receiver):
    receiver.fail_first = 1
    configured_before_the_change(engine, scenario, receiver.url)
    summary = deliver_after_refresh(engine, url=receiver.url, retry_base_s=0.05)
    assert summary["queued"] == 9 and summary["sent"] == 1 and summary["pending"] == 0 and not summary["error"]
    assert [post["status"] for post in receiver.posts] == [500, 204]
    assert receiver.posts[0]["body"] == receiver.posts[1]["body"], "the same batch again"
    again = deliver_after_refresh(engine, url=receiver.url, retry_base_s=0.05)
    assert again["queued"] == 0 and again["sent"] == 0 and len(receiver.posts) == 2, "nothing is sent twice"


def test_a_batch_that_keeps_failing_waits_for_the_next_delivery(engine, scenario, receiver):
    receiver.down = True
    configured_before_the_change(engine, scenario, receiver.url)
    first = deliver_after_refresh(engine, url=receiver.url, retry_base_s=0.01, budget_s=5)
    assert first["sent"] == 0 and first["pending"] == 1 and "HTTP 500" in first["error"]
    assert len(receiver.posts) == 3, "three tries with backoff, then it gives up for this delivery"
    with session_scope(engine) as session:
        batch = session.exec(select(WebhookBatch).where(WebhookBatch.status == "pending")).one()
        assert batch.attempts == 3 and batch.next_attempt_at is not None and "HTTP 500" in batch.last_error
        retry_at = batch.next_attempt_at
    receiver.down = False
    early = deliver_after_refresh(engine, url=receiver.url, now=retry_at - timedelta(seconds=1))
    assert early["sent"] == 0 and len(receiver.posts) == 3, "not before its backoff has passed"
    later = deliver_after_refresh(engine, url=receiver.url, now=retry_at + timedelta(seconds=1))
    assert later["sent"] == 1 and later["pending"] == 0 and receiver.posts[-1]["status"] == 204
    assert len(receiver.delivered) == 1 and len(receiver.delivered[0]["events"]) == 9
    deliver_after_refresh(engine, url=receiver.url, now=retry_at + timedelta(hours=1))
    assert len(receiver.delivered) == 1, "a delivered batch is never sent again"


def test_an_unreachable_webhook_never_raises_and_keeps_the_events(engine, scenario, receiver):
    url = receiver.url
    receiver.stop()  # nothing listens there any more
    configured_before_the_change(engine, scenario, url)
    summary = deliver_after_refresh(engine, url=url, retry_base_s=0.01, budget_s=3)
    assert summary["sent"] == 0 and summary["pending"] == 1 and summary["error"]


def test_private_hosts_are_refused_unless_allowed(engine, scenario, receiver, monkeypatch):
    monkeypatch.setenv("KAPDIR_ALLOW_PRIVATE_HOSTS", "false")
    get_settings.cache_clear()
    try:
        configured_before_the_change(engine, scenario, receiver.url)
        summary = deliver_after_refresh(engine, url=receiver.url, retry_base_s=0.01)
    finally:
        get_settings.cache_clear()
    assert summary["sent"] == 0 and "blocked_address" in summary["error"] and receiver.posts == []


def test_no_webhook_configured_does_nothing(engine, monkeypatch):
    monkeypatch.delenv("KAPDIR_WEBHOOK_URL", raising=False)
    get_settings.cache_clear()
    assert deliver_after_refresh(engine) == {"configured": False}
    with session_scope(engine) as session:
        assert session.exec(select(WebhookBatch).where(WebhookBatch.status == "pending")).all() == []


def test_the_stored_target_is_a_hash_and_a_label_without_the_secret(receiver):
    target, label = target_of(receiver.url)
    assert "s3cret" not in target + label and label.startswith("http://127.0.0.1:") and len(target) == 64


def test_cli_deliver_says_why_a_refused_webhook_gets_nothing(engine, receiver):
    from tests.conftest import run_kapdir

    db = str(engine.url.database)
    result = run_kapdir("feeds", "deliver", "--db", db, timeout=120,
                        env={"KAPDIR_WEBHOOK_URL": receiver.url, "KAPDIR_ALLOW_PRIVATE_HOSTS": "false"})
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "blocked_address" in result.stderr
    assert receiver.posts == []
    ok = run_kapdir("feeds", "deliver", "--db", db, "--json", timeout=120, env={"KAPDIR_WEBHOOK_URL": receiver.url})
    assert ok.returncode == 0 and '"error": null' in ok.stdout
