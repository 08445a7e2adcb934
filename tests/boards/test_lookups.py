"""Look-up sources over real HTTP: NPI (both response shapes, paging limits), the Counseling Compact, and the
Scrapy form crawls (VA DHP, MD BPCT) in a child process; the cache and its time to live; robots.txt; CAPTCHA;
the manual source that is never fetched."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from directory.boards.adapters import make_adapter
from directory.boards.base import LookupQuery
from directory.boards.lookup import database_queries, lookup_clinicians
from directory.db import session_scope
from directory.models import Clinician, CredentialClaim, LicenseRecord, LookupCache, Practice, ServiceArea, SourceSync
from directory.sample_world.mirrors import start_board_mirrors
from directory.sample_world.mirrors.api import NpiMirror
from directory.sample_world.mirrors.core import Request
from directory.sample_world.schema import TrueClinician, TruePractice, TrueRecord, TrueServiceArea, World
from directory.timeutil import utcnow


def world_lookups(world, source):
    for practice in world.practices:
        for clinician in practice.clinicians:
            for record in clinician.records:
                if record.source == source:
                    yield clinician, record


def test_npi_reads_both_response_shapes(boards, world):
    adapter = make_adapter("npi")
    truths = list(world_lookups(world, "npi"))
    shapes = {int(record.number[-1]) % 2 for _c, record in truths}
    assert shapes == {0, 1}, "the world has NPIs answered in both the old and the new shape"
    for clinician, truth in truths:
        got = [r for _q, r in adapter.lookup([LookupQuery(clinician.name, truth.state)])]
        assert [r.npi for r in got] == [truth.number]
        assert got[0].kind == "npi" and got[0].status == "active" and got[0].record_key == truth.number
        assert got[0].license_class == truth.license_class
        assert got[0].suffix is None, "'--' is empty"


def test_npi_mirror_enforces_the_real_limits():
    mirror = NpiMirror([])

    def ask(**query):
        return mirror.handle(Request("GET", "/api/", {k: str(v) for k, v in query.items()}, {}, b"", {})).body

    assert b"Errors" in ask(version="2.1", last_name="X", limit=201)
    assert b"Errors" in ask(version="2.1", last_name="X", skip=1001)
    assert b"Errors" in ask(last_name="X")
    assert b'"result_count": 0' in ask(version="2.1", last_name="X", limit=200, skip=1000)


def test_npi_stops_at_skip_1000(boards):
    from directory.boards.npi import MAX_SKIP, PAGE

    assert PAGE == 200 and MAX_SKIP == 1000
    clinician = TrueClinician(name="Pat Many", site_name="Pat Many, LPC", role="therapist", credentials=["LPC"])
    records = [TrueRecord(source="npi", state="OH", license_class="professional_counselor", title="Counselor",
                          number=f"1{n:09d}", status_raw="A", status="active", kind="npi") for n in range(1300)]
    mirror = NpiMirror([])
    from directory.sample_world.mirrors.data import Entry

    mirror.providers = [NpiMirror.provider(Entry(record=r, given="Pat", middle="", family="Many", suffix="",
                                                 clinician=clinician)) for r in records]
    from directory.sample_world.mirrors.core import MirrorServer

    server = MirrorServer(mirror)
    try:
        got = list(make_adapter("npi", base_url=server.url).lookup([LookupQuery("Pat Many", "OH")]))
    finally:
        server.stop()
    assert len(got) == 1200, "at most 1,200 records over six requests"


def test_counseling_compact_privileges(boards, world):
    adapter = make_adapter("counseling_compact")
    for clinician, truth in world_lookups(world, "counseling_compact"):
        got = [r for _q, r in adapter.lookup([LookupQuery(clinician.name, truth.state, truth.license_class)])]
        match = [r for r in got if r.state == truth.state]
        assert len(match) == 1
        record = match[0]
        assert record.kind == "compact_privilege" and record.home_state == truth.home_state
        assert record.status == truth.status and record.expiry_date == truth.expires
        assert record.license_number is None, "CompactConnect's public answers carry no license number"


@pytest.mark.parametrize("source", ["va_dhp", "md_bpct"])
def test_form_lookups_through_scrapy(boards, world, source):
    truths = list(world_lookups(world, source))
    queries = [LookupQuery(c.name, t.state, t.license_class) for c, t in truths]
    queries.append(LookupQuery("Nobody Atall", "VA" if source == "va_dhp" else "MD", None))
    adapter = make_adapter(source)
    got = list(adapter.lookup(queries))
    assert adapter.errors == {}
    for (clinician, truth), query in zip(truths, queries, strict=False):
        records = [r for q, r in got if q == query and r.license_number == truth.number]
        assert len(records) == 1, (source, clinician.name)
        record = records[0]
        assert record.status == truth.status and record.license_class == truth.license_class
        assert record.expiry_date == truth.expires and record.source_url.startswith("http://127.0.0.1")
    assert not [r for q, r in got if q == queries[-1]]
    paths = boards.mirror(source).paths_requested()
    assert paths.count("/robots.txt") == 1, "robots.txt read once per crawl"
    agents = {h.get("user-agent") for _m, _p, h in boards.mirror(source).requests}
    assert agents == {"kapdir/0.1 (+https://github.com/kapdir/kapdir#crawler)"}


def _two_same_names() -> World:
    records = [TrueRecord(source="va_dhp", state="VA", license_class="professional_counselor",
                          title="Licensed Professional Counselor", number=f"07010{n:05d}", status_raw="Current Active",
                          status="active", issued=date(2015, 1, 1), expires=date(2027, 6, 30)) for n in range(3)]
    clinicians = [TrueClinician(name="Sam Lee", site_name="Sam Lee, LPC", role="therapist", credentials=["LPC"],
                                records=[r]) for r in records]
    practice = TruePractice(key="samlee", name="Sam Lee Counseling", template="handmade",
                            states=[TrueServiceArea("VA", True, True)], clinicians=clinicians)
    return World(practices=[practice])


def test_va_paging_follows_every_page(tmp_path, monkeypatch):
    from tests.boards.conftest import board_env

    with start_board_mirrors(_two_same_names()) as mirrors:
        board_env(monkeypatch, tmp_path, mirrors.urls)
        mirrors.mirror("va_dhp").page_size = 1
        got = list(make_adapter("va_dhp").lookup([LookupQuery("Sam Lee", "VA", "professional_counselor")]))
        paths = mirrors.mirror("va_dhp").paths_requested()
    assert sorted(r.license_number for _q, r in got) == ["0701000000", "0701000001", "0701000002"]
    assert "/Lookup/Result" in paths and any(p == "/Lookup/Result" for p in paths)


def test_form_lookups_obey_robots_txt(boards):
    mirror = boards.mirror("va_dhp")
    mirror.robots = "User-agent: *\nDisallow: /Lookup/\n"
    try:
        adapter = make_adapter("va_dhp")
        with pytest.raises(Exception, match="robots.txt forbids"):
            list(adapter.lookup([LookupQuery("Marisol Quenneville", "VA", "professional_counselor")]))
    finally:
        mirror.robots = "User-agent: *\nAllow: /\n"
    assert mirror.paths_requested() == ["/robots.txt"], "nothing disallowed was fetched"


def test_form_lookup_never_bypasses_a_captcha(boards):
    mirror = boards.mirror("va_dhp")
    mirror.captcha = True
    try:
        with pytest.raises(Exception, match="CAPTCHA"):
            list(make_adapter("va_dhp").lookup([LookupQuery("Marisol Quenneville", "VA")]))
    finally:
        mirror.captcha = False
    assert not any(m == "POST" for m, _p, _h in mirror.requests), "the form was never submitted"


def test_lookup_clinicians_stores_and_caches(boards, engine, world):
    queries = [LookupQuery(c.name, t.state, t.license_class) for c, t in world_lookups(world, "md_bpct")]
    first = {o.source: o for o in lookup_clinicians(engine, queries)}
    assert first["md_bpct"].status == "ok" and first["md_bpct"].records >= len(queries)
    assert first["npi"].status == "ok"
    requests_after_first = len(boards.mirror("md_bpct").requests)
    second = {o.source: o for o in lookup_clinicians(engine, queries)}
    assert second["md_bpct"].status == "cached" and second["md_bpct"].cached == len(queries)
    assert len(boards.mirror("md_bpct").requests) == requests_after_first, "cached: nothing fetched"
    with session_scope(engine) as session:
        stored = session.execute(select(LicenseRecord).where(LicenseRecord.source == "md_bpct")).scalars().all()
        cache = session.execute(select(LookupCache).where(LookupCache.source == "md_bpct")).scalars().all()
        syncs = session.execute(select(SourceSync).where(SourceSync.source == "md_bpct")).scalars().all()
    assert {r.license_number for r in stored} >= {t.number for _c, t in world_lookups(world, "md_bpct")}
    assert len(cache) == len(queries) and all(c.record_keys for c in cache)
    assert [s.status for s in syncs] == ["ok"]
    # Past the time to live, the query is asked again.
    with session_scope(engine) as session:
        long_ago = utcnow() - timedelta(days=31)
        session.execute(update(LookupCache).values(fetched_at=long_ago))
        session.commit()
    third = {o.source: o for o in lookup_clinicians(engine, queries, sources=["md_bpct"])}
    assert third["md_bpct"].status == "ok" and third["md_bpct"].cached == 0
    assert len(boards.mirror("md_bpct").requests) > requests_after_first


def test_manual_source_is_never_fetched(boards, engine):
    from directory.boards.commands import run_sync

    results = run_sync(engine, ["wa_provider_search"])
    assert results == [{"source": "wa_provider_search", "status": "manual", "error": results[0]["error"]}]
    assert "never fetched" in results[0]["error"]
    with session_scope(engine) as session:
        assert session.execute(select(SourceSync)).first() is None


def test_database_queries_cover_clinicians_in_lookup_states(engine):
    with session_scope(engine) as session:
        practice = Practice(key="p.example", name="P")
        session.add(practice)
        session.flush()
        session.add_all([ServiceArea(practice_id=practice.id, state="VA", virtual=True),
                         ServiceArea(practice_id=practice.id, state="NM", virtual=True)])
        clinician = Clinician(practice_id=practice.id, key="jane-roe", name="Jane Roe")
        session.add(clinician)
        session.flush()
        session.add(CredentialClaim(clinician_id=clinician.id, code="LPC", kind="state_license",
                                    license_class="professional_counselor"))
        session.commit()
    queries = database_queries(engine)
    assert LookupQuery("Jane Roe", "VA", "professional_counselor") in queries
    assert LookupQuery("Jane Roe", "NM", "professional_counselor") in queries  # NPI answers every state


def test_form_lookups_wait_between_requests(boards, monkeypatch, tmp_path):
    from tests.boards.conftest import board_env

    board_env(monkeypatch, tmp_path, boards.urls, KAPDIR_BOARD_LOOKUP_DELAY_S="0.4")
    mirror = boards.mirror("md_bpct")
    mirror.request_times.clear()
    list(make_adapter("md_bpct").lookup([LookupQuery("Marisol Quenneville", "MD", "professional_counselor")]))
    times = mirror.request_times[1:]  # after robots.txt
    assert len(times) >= 3
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.35, gaps


def test_too_many_records_fails_that_query_only(tmp_path, monkeypatch):
    from tests.boards.conftest import board_env

    with start_board_mirrors(_two_same_names()) as mirrors:
        board_env(monkeypatch, tmp_path, mirrors.urls)
        mirrors.mirror("va_dhp").too_many = 2
        adapter = make_adapter("va_dhp")
        crowded = LookupQuery("Sam Lee", "VA", None)
        got = list(adapter.lookup([crowded]))
    assert got == [] and "too many records" in adapter.errors[crowded]


def test_records_a_lookup_no_longer_returns_are_retired(tmp_path, monkeypatch):
    """A license the board no longer lists must not keep verifying until it goes stale."""
    from directory.db import open_database
    from tests.boards.conftest import board_env

    engine = open_database(tmp_path / "retire.db")
    query = LookupQuery("Sam Lee", "VA", "professional_counselor")
    with start_board_mirrors(_two_same_names()) as mirrors:
        board_env(monkeypatch, tmp_path, mirrors.urls)
        (first,) = lookup_clinicians(engine, [query], sources=["va_dhp"])
        assert first.status == "ok" and first.records == 3 and first.removed == 0
        mirror = mirrors.mirror("va_dhp")
        gone = next(e for e in mirror.entries if e.record.number == "0701000001")
        mirror.entries.remove(gone)
        (second,) = lookup_clinicians(engine, [query], sources=["va_dhp"], force=True)
        mirrors.set_fault("va_dhp", "down")
        (failed,) = lookup_clinicians(engine, [query], sources=["va_dhp"], force=True)
    assert second.status == "ok" and second.records == 2 and second.removed == 1
    assert "1 no longer listed" in second.line()
    assert failed.status == "error", "a failed look-up retires nothing"
    with session_scope(engine) as session:
        rows = {r.license_number: r.removed_at for r in session.execute(
            select(LicenseRecord).where(LicenseRecord.source == "va_dhp")).scalars()}
        syncs = session.execute(select(SourceSync).where(SourceSync.source == "va_dhp")
                                .order_by(SourceSync.id)).scalars().all()
    assert rows["0701000001"] is not None, "no longer returned: removed"
    assert rows["0701000000"] is None and rows["0701000002"] is None
    assert [s.removed for s in syncs[:2]] == [0, 1]


def test_a_source_without_a_url_is_not_configured(engine, monkeypatch, tmp_path):
    from directory.boards.commands import run_sync, source_status
    from directory.boards.registry import get_source
    from directory.errors import SourceError
    from tests.boards.conftest import board_env

    board_env(monkeypatch, tmp_path, {})
    info = get_source("generic_ga")
    assert info.public_url == "" and not info.configured
    with pytest.raises(SourceError, match="generic_ga: not configured"):
        make_adapter("generic_ga")
    assert run_sync(engine, ["generic_ga"]) == [
        {"source": "generic_ga", "status": "error", "error": "not configured: no URL (set it in KAPDIR_SOURCE_URLS)"}]
    rows = {r["name"]: r for r in source_status(engine)}
    assert rows["generic_ga"]["configured"] is False and rows["ct_socrata"]["configured"] is True
