"""The same events, watch lists and webhook on PostgreSQL: the scenario's rows copied over give the same events."""

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

from directory.changes.events import derive_events
from directory.changes.watch import add_to_watch, watched_practice_ids
from directory.changes.webhook import deliver_after_refresh
from directory.db import get_engine, open_database, session_scope, upgrade
from tests.changes.conftest import SUSPENDED
from tests.changes.receiver import Receiver

pytestmark = pytest.mark.postgres


def copy_rows(source_url: str, engine) -> None:
    source = create_engine(source_url)
    with source.connect() as read, engine.begin() as write:
        for table in SQLModel.metadata.sorted_tables:
            rows = [dict(row._mapping) for row in read.execute(table.select())]
            if rows:
                write.execute(table.insert(), rows)
            if "id" in table.c:  # explicit ids were inserted: move each sequence past them
                write.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                                   f"(SELECT COALESCE(MAX(id), 0) + 1 FROM \"{table.name}\"), false)"))
    source.dispose()


def test_events_watch_and_webhook_on_postgres(scenario, postgres_url):
    engine = get_engine(postgres_url)
    with engine.begin() as connection:  # the server is shared by the session's tests: start empty
        connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    upgrade(postgres_url)  # every migration, 0006 included
    copy_rows(f"sqlite:///{scenario.db}", engine)
    lite = open_database(scenario.db, create=False)
    with session_scope(lite) as a, session_scope(engine) as b:
        expected = [(e.id, e.kind, e.before, e.after) for e in derive_events(a)]
        assert [(e.id, e.kind, e.before, e.after) for e in derive_events(b)] == expected
        since = [e.id for e in derive_events(b, since=scenario.changed_at)]
        assert len(since) == 9
        practice = scenario.practices[SUSPENDED[0]]
        watch = add_to_watch(b, "Pat@Example.org", [practice])
        assert watched_practice_ids(b, watch) == [practice]
    receiver = Receiver()
    try:
        first = deliver_after_refresh(engine, url=receiver.url)
        assert first["baseline"] == len(expected) and receiver.posts == []
        assert deliver_after_refresh(engine, url=receiver.url)["queued"] == 0
    finally:
        receiver.stop()
