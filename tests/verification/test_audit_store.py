"""Re-crawls keep the evidence: facts per crawl run (superseded, not deleted), vanished or changed claims kept as
they were, and the provider page still shows only what the site says now."""

from sqlmodel import Session, select

from crawler.runs import create_run
from directory.db import open_database
from directory.models import CredentialClaim, Fact, RetiredClaim, ServiceArea
from directory.queries import practice_detail
from tests.crawler.test_store import HOME, TEAM, home_facts, page, store, team_facts


def test_recrawl_keeps_facts_per_run_and_retires_claims(tmp_path):
    engine = open_database(tmp_path / "x.db")
    with Session(engine) as session:
        first, second = create_run(session, [HOME]).id, create_run(session, [HOME]).id
    store(engine, [page(HOME, home_facts(), "h1"), page(TEAM, team_facts(("LCSW", "LPC")), "t1")], run_id=first)
    with Session(engine) as session:
        facts_before = {f.id: (f.field, f.snippet) for f in session.exec(select(Fact))}
        assert {f.crawl_run_id for f in session.exec(select(Fact))} == {first}
    # The site drops the LPC and Florida: the second crawl keeps what it said before.
    store(engine, [page(HOME, home_facts(("MD",)), "h2"), page(TEAM, team_facts(("LCSW",)), "t2")], run_id=second)
    with Session(engine) as session:
        facts = {f.id: f for f in session.exec(select(Fact))}
        assert set(facts_before) <= set(facts)  # nothing deleted
        superseded = [f for f in facts.values() if f.superseded_at is not None]
        assert [f.snippet for f in superseded] == ["Jane Roe, LCSW, LPC"] and superseded[0].crawl_run_id == first
        current = [f for f in facts.values() if f.superseded_at is None]
        assert {(f.snippet, f.crawl_run_id) for f in current if f.field == "clinicians"} == {
            ("Jane Roe, LCSW", second)}
        retired = {(r.table_name, r.reason, r.data.get("code") or r.data.get("state"), r.crawl_run_id)
                   for r in session.exec(select(RetiredClaim))}
        assert ("credentialclaim", "gone", "LPC", second) in retired
        assert ("servicearea", "gone", "FL", second) in retired
        assert [c.code for c in session.exec(select(CredentialClaim))] == ["LCSW"]
        assert [a.state for a in session.exec(select(ServiceArea))] == ["MD"]
        detail = practice_detail(session, practice_id=superseded[0].practice_id)
    shown = repr(detail)
    assert "Jane Roe, LCSW, LPC" not in shown and "Jane Roe, LCSW" in shown  # the dashboard reads current facts


def test_an_unchanged_recrawl_adds_no_fact_rows(tmp_path):
    engine = open_database(tmp_path / "x.db")
    store(engine, [page(HOME, home_facts(), "h1"), page(TEAM, team_facts(), "t1")])
    with Session(engine) as session:
        before = {f.id: f.fetched_at for f in session.exec(select(Fact))}
    store(engine, [page(HOME, home_facts(), "h2"), page(TEAM, team_facts(), "t2")])  # new hashes, same facts
    with Session(engine) as session:
        after = {f.id: f.fetched_at for f in session.exec(select(Fact))}
        assert sorted(after) == sorted(before)
        assert all(after[i] > before[i] for i in before)  # each fact says when it was last read
        assert session.exec(select(RetiredClaim)).first() is None
