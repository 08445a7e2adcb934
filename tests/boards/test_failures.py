"""A source that is down, throttled, slow or returns garbage fails its own sync with a clear one-line error and
keeps the previous records and as-of date; a sync that removes too much is refused unless forced."""

import time

import pytest
from sqlalchemy import func, select

from directory.boards.adapters import make_adapter
from directory.boards.store import sync_roster
from directory.db import session_scope
from directory.models import LicenseRecord, LookupCache, SourceSync


def snapshot(engine, source):
    with session_scope(engine) as session:
        rows = session.execute(select(LicenseRecord).where(LicenseRecord.source == source)
                               .order_by(LicenseRecord.record_key)).scalars().all()
        return [(r.record_key, r.status, r.source_as_of, r.removed_at, r.fetched_at) for r in rows]


def syncs(engine, source):
    with session_scope(engine) as session:
        return session.execute(select(SourceSync).where(SourceSync.source == source)
                               .order_by(SourceSync.id)).scalars().all()


FAULTS = [("down", "HTTP 503"), ("429", "throttled (HTTP 429) after 3 attempts"), ("slow", "no answer within"),
          ("garbage", "garbage")]
SOURCES = ["ct_socrata", "tx_bhec", "fl_mqa", "oig_leie", "generic_ga", "md_bop"]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(("fault", "message"), FAULTS)
def test_failing_source_keeps_previous_records(boards, engine, source, fault, message):
    first = sync_roster(engine, make_adapter(source, page_size=10))
    assert first.status == "ok"
    before = snapshot(engine, source)
    boards.set_fault(source, fault)
    boards.mirror(source).slow_seconds = 3
    started = time.monotonic()
    result = sync_roster(engine, make_adapter(source, page_size=10, timeout=0.5))
    assert time.monotonic() - started < 10
    assert result.status == "error"
    assert message in result.error and source in result.error
    assert "\n" not in result.error
    assert snapshot(engine, source) == before, "previous records and their as-of date are kept"
    rows = syncs(engine, source)
    assert [r.status for r in rows] == ["ok", "error"] and rows[-1].error == result.error


def test_one_429_is_retried_after_retry_after(boards, engine):
    boards.set_fault("ct_socrata", "429_once")
    result = sync_roster(engine, make_adapter("ct_socrata"))
    assert result.status == "ok" and result.records > 0
    paths = boards.mirror("ct_socrata").paths_requested()
    assert paths[0] == paths[1], "the throttled request was repeated"


def test_shrunk_roster_is_refused_then_forced(boards, engine):
    first = sync_roster(engine, make_adapter("wa_socrata"))
    before = snapshot(engine, "wa_socrata")
    boards.set_fault("wa_socrata", "shrunk")
    refused = sync_roster(engine, make_adapter("wa_socrata"))
    assert refused.status == "refused" and "--force" in refused.error and "would remove" in refused.error
    assert snapshot(engine, "wa_socrata") == before, "nothing applied"
    forced = sync_roster(engine, make_adapter("wa_socrata"), force=True)
    assert forced.status == "ok" and forced.removed == first.records - forced.records > 0
    with session_scope(engine) as session:
        total = session.execute(select(func.count()).select_from(LicenseRecord)
                                .where(LicenseRecord.source == "wa_socrata")).scalar_one()
        removed = session.execute(select(func.count()).select_from(LicenseRecord).where(
            LicenseRecord.source == "wa_socrata", LicenseRecord.removed_at.is_not(None))).scalar_one()
    assert total == first.records, "removed records are kept, never deleted"
    assert removed == forced.removed
    boards.set_fault("wa_socrata", None)  # the full roster again (forced: the mirror's as-of date went back)
    back = sync_roster(engine, make_adapter("wa_socrata"), force=True)
    assert back.status == "ok" and back.removed == 0
    with session_scope(engine) as session:
        still_removed = session.execute(select(func.count()).select_from(LicenseRecord).where(
            LicenseRecord.source == "wa_socrata", LicenseRecord.removed_at.is_not(None))).scalar_one()
    assert still_removed == 0, "a record seen again is no longer removed"
    assert [r.status for r in syncs(engine, "wa_socrata")] == ["ok", "refused", "ok", "ok"]


def test_small_removal_is_applied_without_force(boards, engine, monkeypatch, tmp_path):
    from tests.boards.conftest import board_env

    sync_roster(engine, make_adapter("il_socrata"))
    board_env(monkeypatch, tmp_path, boards.urls, KAPDIR_MAX_REMOVAL_SHARE="0.99")
    boards.set_fault("il_socrata", "shrunk")
    result = sync_roster(engine, make_adapter("il_socrata"))
    assert result.status == "ok" and result.removed > 0


def test_unreachable_source(engine, tmp_path):
    result = sync_roster(engine, make_adapter("tx_bhec", base_url="http://127.0.0.1:9", timeout=1))
    assert result.status == "error" and "cannot reach" in result.error


def test_empty_roster_is_an_error(boards, engine, tmp_path):
    from directory.sample_world.mirrors.core import MirrorServer
    from directory.sample_world.mirrors.files import LeieMirror

    server = MirrorServer(LeieMirror([], []))
    try:
        mirror = server.mirror
        mirror._full = {"/exclusions/downloadables/UPDATED.csv": ("text/csv", b'"LASTNAME","FIRSTNAME","MIDNAME",'
                        b'"BUSNAME","GENERAL","SPECIALTY","UPIN","NPI","DOB","ADDRESS","CITY","STATE","ZIP",'
                        b'"EXCLTYPE","EXCLDATE","REINDATE","WAIVERDATE","WVRSTATE"\r\n')}
        result = sync_roster(engine, make_adapter("oig_leie", base_url=server.url))
    finally:
        server.stop()
    assert result.status == "error" and "empty roster" in result.error


@pytest.mark.parametrize(("source", "fault"), [("npi", "down"), ("npi", "429"), ("npi", "garbage"),
                                               ("counseling_compact", "down"), ("va_dhp", "down"),
                                               ("md_bpct", "garbage")])
def test_lookup_source_failure_is_recorded(boards, engine, source, fault):
    from directory.boards.base import LookupQuery
    from directory.boards.lookup import lookup_clinicians

    boards.set_fault(source, fault)
    state = "MD" if source == "md_bpct" else "VA"
    outcomes = lookup_clinicians(engine, [LookupQuery("Marisol Quenneville", state, "professional_counselor")],
                                 sources=[source])
    assert [o.status for o in outcomes] == ["error"]
    assert source in outcomes[0].error and "\n" not in outcomes[0].error
    with session_scope(engine) as session:
        cached = session.execute(select(func.count()).select_from(LookupCache)).scalar_one()
    assert cached == 0, "a failed look-up is not cached: it is asked again next time"
    rows = syncs(engine, source)
    assert rows[-1].status == "error" and rows[-1].error == outcomes[0].error


def test_rows_that_change_shape_mid_roster_are_garbage(boards, engine):
    first = sync_roster(engine, make_adapter("ct_socrata", page_size=10))
    before = snapshot(engine, "ct_socrata")
    mirror = boards.mirror("ct_socrata")
    saved = [dict(row) for row in mirror.full]
    try:
        del mirror.full[25]["fullcredentialcode"]  # on the third page: the first page's header check passed
        result = sync_roster(engine, make_adapter("ct_socrata", page_size=10), force=True)
    finally:
        mirror.full = saved
    assert first.status == "ok" and result.status == "error"
    assert "garbage: unexpected data (KeyError" in result.error
    assert snapshot(engine, "ct_socrata") == before


def test_slow_form_source_times_out(boards, engine, monkeypatch, tmp_path):
    from directory.boards.base import LookupQuery
    from directory.boards.lookup import lookup_clinicians
    from tests.boards.conftest import board_env

    board_env(monkeypatch, tmp_path, boards.urls, KAPDIR_BOARD_TIMEOUT_S="1")
    boards.set_fault("va_dhp", "slow")
    boards.mirror("va_dhp").slow_seconds = 2
    outcomes = lookup_clinicians(engine, [LookupQuery("Marisol Quenneville", "VA", "professional_counselor")],
                                 sources=["va_dhp"])
    assert [o.status for o in outcomes] == ["error"]
    assert "no answer in time" in outcomes[0].error


def test_unreachable_form_source(boards):
    from directory.boards.base import LookupQuery
    from directory.errors import SourceError

    adapter = make_adapter("md_bpct", base_url="http://127.0.0.1:9")
    with pytest.raises(SourceError, match="md_bpct: cannot reach http://127.0.0.1:9/pctverification/default.aspx"):
        list(adapter.lookup([LookupQuery("Marisol Quenneville", "MD")]))


class RawServer:
    """A loopback server that answers every connection with ``respond(socket)``: a slow drip, or too much."""

    def __init__(self, respond):
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.respond, self.stopped = respond, threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        import threading

        while not self.stopped.is_set():
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection) -> None:
        try:
            connection.recv(65536)
            self.respond(connection, self.stopped)
        except OSError:
            pass
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.sock.close()


def drip_body(connection, stopped) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 100000000\r\n\r\n")
    while not stopped.wait(0.1):
        connection.sendall(b"x")


def drip_headers(connection, stopped) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\n")
    while not stopped.wait(0.1):
        connection.sendall(b"X-Slow: y\r\n")


def too_much(connection, stopped) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\n\r\n")
    for _ in range(200):
        connection.sendall(b"x" * 1024)


@pytest.mark.parametrize(("respond", "message"), [
    (drip_body, "no complete answer within the 1.5s deadline"),
    (drip_headers, "no complete answer within the 1.5s deadline"),
    (too_much, "exceeds the 50,000 byte cap"),
])
def test_bounded_board_io_keeps_previous_data(boards, engine, monkeypatch, tmp_path, respond, message):
    """A slow-drip server cannot hold a sync, an endless answer cannot fill the disk: each is a one-line error in
    the sync record, and the previous records stay."""
    from tests.boards.conftest import board_env

    assert sync_roster(engine, make_adapter("oig_leie")).status == "ok"
    before = snapshot(engine, "oig_leie")
    board_env(monkeypatch, tmp_path, boards.urls, KAPDIR_BOARD_DEADLINE_S="1.5", KAPDIR_BOARD_MAX_BYTES="50000")
    server = RawServer(respond)
    try:
        started = time.monotonic()
        result = sync_roster(engine, make_adapter("oig_leie", base_url=server.url, timeout=1), force=True)
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    assert result.status == "error" and message in result.error and "\n" not in result.error
    assert result.error.startswith("oig_leie: ")
    assert elapsed < 5, "the deadline ends the request, not the drip"
    assert snapshot(engine, "oig_leie") == before
    assert syncs(engine, "oig_leie")[-1].error == result.error


def test_json_sources_are_bounded_too(boards, monkeypatch, tmp_path):
    from directory.boards.base import LookupQuery
    from directory.errors import SourceError
    from tests.boards.conftest import board_env

    board_env(monkeypatch, tmp_path, boards.urls, KAPDIR_BOARD_DEADLINE_S="1.5")
    server = RawServer(drip_body)
    try:
        with pytest.raises(SourceError, match="npi: no complete answer within the 1.5s deadline"):
            list(make_adapter("npi", base_url=server.url, timeout=1).lookup([LookupQuery("Jane Roe", "OH")]))
    finally:
        server.stop()
