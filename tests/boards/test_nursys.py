"""Nursys QuickConfirm over real HTTP (its mirror, Scrapy in a child process): found, not found, the multistate
flag, the cache, robots.txt, CAPTCHA; and through `boards sync`'s look-ups to a verified_nlc verdict."""

import pytest
from sqlalchemy import select

from directory.boards.adapters import make_adapter
from directory.boards.base import LookupQuery
from directory.boards.lookup import database_queries, lookup_clinicians, lookup_sources
from directory.boards.nursys import jurisdiction_code, multistate_flag
from directory.db import session_scope
from directory.errors import SourceError
from directory.models import Clinician, CredentialClaim, LicenseRecord, LookupCache, Practice, ServiceArea, Verification
from directory.vocab import Verdict

BEATRIX = "Beatrix Nwachukwu"


def _nursys_truth(world):
    for practice in world.practices:
        for clinician in practice.clinicians:
            for record in clinician.records:
                if record.source == "nursys":
                    yield clinician, record


def test_found_with_the_multistate_flag_and_not_found(boards, world):
    truths = list(_nursys_truth(world))
    assert [c.name for c, _r in truths] == [BEATRIX]
    single = next(e for e in boards.mirror("nursys").entries
                  if e.filler and e.record.license_class == "registered_nurse" and not e.record.multistate)
    queries = [LookupQuery(BEATRIX, "*", "registered_nurse"), LookupQuery(single.full_name, "*", "registered_nurse"),
               LookupQuery("Nobody Atall", "*", "registered_nurse")]
    adapter = make_adapter("nursys")
    got = list(adapter.lookup(queries))
    assert adapter.errors == {}

    _clinician, truth = truths[0]
    (beatrix,) = [r for q, r in got if q == queries[0]]
    assert beatrix.kind == "license" and beatrix.source == "nursys"
    assert beatrix.state == truth.state == "FL", "state is the licensing (home) state, not the claim's"
    assert beatrix.multistate is True and beatrix.license_class == "registered_nurse"
    assert beatrix.status == "active" and beatrix.expiry_date == truth.expires
    assert beatrix.license_number == truth.number and beatrix.source_url.startswith("http://127.0.0.1")

    others = [r for q, r in got if q == queries[1] and r.license_number == single.record.number]
    assert others and all(r.multistate is False for r in others)
    assert not [r for q, r in got if q == queries[2]], "not found is no record and no error"

    mirror = boards.mirror("nursys")
    assert mirror.paths_requested().count("/robots.txt") == 1
    assert {h.get("user-agent") for _m, _p, h in mirror.requests} == {
        "kapdir/0.1 (+https://github.com/kapdir/kapdir#crawler)"}


def test_lookups_are_national_and_cached(boards, engine):
    # One nurse serving two states: Nursys is asked once (per person and class), whatever the claim's state.
    queries = [LookupQuery(BEATRIX, "GA", "registered_nurse"), LookupQuery(BEATRIX, "VA", "registered_nurse")]
    first = {o.source: o for o in lookup_clinicians(engine, queries, sources=["nursys"])}
    assert first["nursys"].status == "ok" and first["nursys"].queries == 1 and first["nursys"].records == 1
    fetched = len(boards.mirror("nursys").requests)
    second = {o.source: o for o in lookup_clinicians(engine, queries, sources=["nursys"])}
    assert second["nursys"].status == "cached" and second["nursys"].cached == 1
    assert len(boards.mirror("nursys").requests) == fetched, "cached: nothing fetched"
    with session_scope(engine) as session:
        stored = session.execute(select(LicenseRecord).where(LicenseRecord.source == "nursys")).scalars().all()
        cache = session.execute(select(LookupCache).where(LookupCache.source == "nursys")).scalars().all()
    assert [(r.state, r.multistate, r.license_number) for r in stored] == [("FL", True, "RN9281734")]
    assert [c.record_keys for c in cache] == [["FL|RN|RN9281734"]]


def test_robots_txt_is_obeyed(boards):
    mirror = boards.mirror("nursys")
    mirror.robots = "User-agent: *\nDisallow: /LQC/\n"
    try:
        with pytest.raises(SourceError, match="robots.txt forbids"):
            list(make_adapter("nursys").lookup([LookupQuery(BEATRIX, "*", "registered_nurse")]))
    finally:
        mirror.robots = "User-agent: *\nAllow: /\n"
    assert mirror.paths_requested() == ["/robots.txt"], "nothing disallowed was fetched"


def test_a_captcha_is_never_bypassed(boards):
    mirror = boards.mirror("nursys")
    mirror.captcha = True
    try:
        with pytest.raises(SourceError, match="CAPTCHA"):
            list(make_adapter("nursys").lookup([LookupQuery(BEATRIX, "*", "registered_nurse")]))
    finally:
        mirror.captcha = False
    assert not any(m == "POST" for m, _p, _h in mirror.requests), "the form was never submitted"


def test_garbage_page_is_a_source_error(boards):
    boards.set_fault("nursys", "garbage")
    with pytest.raises(SourceError, match="garbage"):
        list(make_adapter("nursys").lookup([LookupQuery(BEATRIX, "*", "registered_nurse")]))


def test_flag_and_jurisdiction_words():
    assert [multistate_flag(w) for w in ("Yes", "NO", " y ", "Single State", "", None, "maybe")] == [
        True, False, True, False, None, None, None]
    assert [jurisdiction_code(w) for w in ("FL", "Georgia", "Guam", "", "Atlantis")] == ["FL", "GA", "GU", None, None]


def _nurse_directory(engine, *, role: str, claims: list[tuple[str, str]], state: str = "GA") -> None:
    with session_scope(engine) as session:
        practice = Practice(key="savannah.example", name="Savannah KAP", website="https://savannah.example/")
        session.add(practice)
        session.flush()
        session.add(ServiceArea(practice_id=practice.id, state=state, in_person=True, virtual=True,
                                source_url="https://savannah.example/"))
        clinician = Clinician(practice_id=practice.id, key="beatrix-nwachukwu", name=BEATRIX, given_name="Beatrix",
                              family_name="Nwachukwu", role=role)
        session.add(clinician)
        session.flush()
        for code, license_class in claims:
            session.add(CredentialClaim(clinician_id=clinician.id, code=code, kind="state_license",
                                        license_class=license_class, source_url="https://savannah.example/"))
        session.commit()


def test_nursys_is_asked_about_nurses_only(engine):
    assert "nursys" not in {i.name for i in lookup_sources(LookupQuery("Jane Roe", "GA", None))}
    assert "nursys" not in {i.name for i in lookup_sources(LookupQuery("Jane Roe", "GA", "professional_counselor"))}
    assert "nursys" in {i.name for i in lookup_sources(LookupQuery("Jane Roe", "GA", "nurse_practitioner"))}
    assert "nursys" not in {i.name for i in lookup_sources(LookupQuery("Jane Roe", "CA", "registered_nurse"))}
    _nurse_directory(engine, role="nurse", claims=[])  # a nurse whose site names no license
    assert LookupQuery(BEATRIX, "GA", "registered_nurse") in database_queries(engine)


def test_sync_lookups_then_verification_give_verified_nlc(boards, engine):
    """The real path of `boards sync`: database_queries -> nursys (and the rest) -> verification reads the DB."""
    from directory.boards.commands import run_sync
    from directory.verification import verify_all

    _nurse_directory(engine, role="nurse", claims=[("RN", "registered_nurse")])
    assert LookupQuery(BEATRIX, "GA", "registered_nurse") in database_queries(engine)
    results = {r["source"]: r for r in run_sync(engine, ["nursys", "npi", "oig_leie"])}  # a pass needs the LEIE
    assert results["nursys"]["status"] == "ok" and results["nursys"]["records"] == 1
    verify_all(engine)
    with session_scope(engine) as session:
        rows = session.execute(select(Verification).where(Verification.claim_kind == "service")).scalars().all()
        by_mode = {(r.state, r.mode): r for r in rows}
        record = session.get(LicenseRecord, by_mode[("GA", "in_person")].license_record_id)
        assert record.source == "nursys" and record.multistate is True
    assert by_mode[("GA", "in_person")].verdict == Verdict.VERIFIED_NLC
    assert by_mode[("GA", "virtual")].verdict == Verdict.VERIFIED_NLC
