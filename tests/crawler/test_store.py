"""store_site over a real SQLite database: upserts, no duplicates, gone and stale marking, change descriptions."""

from sqlmodel import Session, func, select

from directory.db import open_database
from directory.extraction.types import (
    AddressFact,
    ClinicianFact,
    CredentialFact,
    Evidence,
    PageFacts,
    PriceFact,
    SiteFacts,
    StateFact,
)
from directory.models import (
    Change,
    Clinician,
    CredentialClaim,
    Fact,
    Location,
    Offering,
    Practice,
    ServiceArea,
    SourcePage,
)
from directory.store import PageRecord, page_facts_from_dict, page_facts_to_dict, store_site

LCSW_CLASS = "clinical_social_worker"
SITE = "calmharbor.example"
HOME = f"http://{SITE}/"
TEAM = f"http://{SITE}/team"


def simple_merge(pages: list[PageFacts]) -> SiteFacts:
    """A stand-in merge (the real one lives in directory.extraction): union of every list, first name wins."""
    site = SiteFacts(url=HOME)
    for page in pages:
        site.practice_name = site.practice_name or page.practice_name
        for name in ("clinicians", "states", "addresses", "cities", "routes", "settings", "prices", "phones",
                     "emails", "links", "evidence"):
            getattr(site, name).extend(getattr(page, name))
        site.medical_partner = site.medical_partner or page.medical_partner
    return site


def home_facts(states=("MD", "FL")) -> PageFacts:
    return PageFacts(
        url=HOME,
        practice_name="Calm Harbor",
        states=[StateFact("MD", in_person=True, virtual=True)] * ("MD" in states)
        + [StateFact("FL", in_person=None, virtual=True)] * ("FL" in states),
        addresses=[AddressFact("1 Harbor St", "Baltimore", "MD", "21201")],
        routes=["im", "oral_sublingual", "bogus-route"],
        prices=[PriceFact(450.0, "session", "$450 per session")],
        evidence=[Evidence("states", "MD", "Serving Maryland and Florida (virtual)", HOME)],
        links=["https://calmharbor.janeapp.com/book"],
    )


def team_facts(credentials=("LCSW",), people=("Jane Roe",)) -> PageFacts:
    facts = PageFacts(
        url=TEAM,
        clinicians=[
            ClinicianFact(name, [CredentialFact(code, "state_license", LCSW_CLASS) for code in credentials])
            for name in people
        ],
        evidence=[Evidence("clinicians", name, f"{name}, {', '.join(credentials)}", TEAM) for name in people],
    )
    for person in facts.clinicians:
        person.url = TEAM
    return facts


def page(url: str, facts: PageFacts | None, content_hash: str, **extra) -> PageRecord:
    defaults = {"outcome": "ok", "status": 200, "final_url": url, "content_type": "text/html", "etag": '"e1"'}
    return PageRecord(url=url, site_key=SITE, facts=facts, content_hash=content_hash, **{**defaults, **extra})


def store(engine, pages, run_id=None):
    with Session(engine) as session:
        result = store_site(session, site_key=SITE, site_url=HOME, pages=pages, crawl_run_id=run_id,
                            merge=simple_merge)
        session.commit()
    return result


def count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def changes(engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(Change.description).order_by(Change.id)))


def test_first_crawl_writes_every_kind_of_row_with_provenance(tmp_path):
    engine = open_database(tmp_path / "x.db")
    result = store(engine, [page(HOME, home_facts(), "h1"), page(TEAM, team_facts(), "t1")])
    assert (result.new, result.changed, result.gone) == (2, 0, 0)
    with Session(engine) as session:
        practice = session.exec(select(Practice)).one()
        assert practice.key == SITE and practice.name == "Calm Harbor" and not practice.stale
        assert practice.booking_urls == ["https://calmharbor.janeapp.com/book"]
        clinician = session.exec(select(Clinician)).one()
        assert clinician.key == "jane-roe" and clinician.family_name == "Roe"
        claim = session.exec(select(CredentialClaim)).one()
        assert (claim.code, claim.license_class, claim.source_url) == ("LCSW", "clinical_social_worker", TEAM)
        areas = {a.state: (a.in_person, a.virtual) for a in session.exec(select(ServiceArea))}
        assert areas == {"MD": (True, True), "FL": (None, True)}
        md = session.exec(select(ServiceArea).where(ServiceArea.state == "MD")).one()
        assert md.source_url == HOME and "Maryland" in md.snippet and md.fetched_at is not None
        location = session.exec(select(Location)).one()
        assert location.city == "Baltimore" and abs(location.lat - 39.29) < 0.1 and abs(location.lon + 76.62) < 0.1
        offers = {(o.kind, o.value) for o in session.exec(select(Offering))}
        assert offers == {("route", "im"), ("route", "oral_sublingual"), ("price", "450 USD per session")}
        facts = list(session.exec(select(Fact)))
        assert facts and all(f.source_url and f.fetched_at and f.snippet for f in facts)
        assert all(f.source_page_id for f in facts)
        pages = list(session.exec(select(SourcePage)))
        assert {p.url for p in pages} == {HOME, TEAM} and all(p.content_hash and p.facts for p in pages)
    assert changes(engine) == ["First crawled"]


def test_recrawl_of_the_same_site_writes_no_duplicates(tmp_path):
    engine = open_database(tmp_path / "x.db")
    pages = [page(HOME, home_facts(), "h1"), page(TEAM, team_facts(), "t1")]
    store(engine, pages)
    before = {model: count(engine, model) for model in (Practice, Clinician, CredentialClaim, ServiceArea, Location,
                                                          Offering, Fact, SourcePage, Change)}
    # Second crawl: the home page answers 304, the team page has the same hash (no facts re-extracted).
    result = store(engine, [page(HOME, None, None, outcome="not_modified", status=304, unchanged=True),
                            page(TEAM, None, "t1", unchanged=True)])
    assert (result.new, result.changed, result.unchanged, result.gone) == (0, 0, 2, 0)
    after = {model: count(engine, model) for model in before}
    assert after == before
    # A changed page re-merges with the stored facts of the unchanged one: still no duplicates.
    result = store(engine, [page(HOME, None, None, outcome="not_modified", status=304, unchanged=True),
                            page(TEAM, team_facts(), "t2")])
    assert result.changed == 1
    assert {model: count(engine, model) for model in before if model is not Change} == {
        model: n for model, n in before.items() if model is not Change
    }


def test_changes_are_described_in_plain_english(tmp_path):
    engine = open_database(tmp_path / "x.db")
    store(engine, [page(HOME, home_facts(), "h1"), page(TEAM, team_facts(("LMFT",)), "t1")])
    store(engine, [page(HOME, home_facts(states=("MD",)), "h2"),
                   page(TEAM, team_facts(("LMFT", "LCSW"), people=("Jane Roe", "Ann Lee")), "t2")])
    described = changes(engine)[1:]
    assert "LCSW added for Jane Roe" in described
    assert "Ann Lee added" in described
    assert "Florida (virtual) no longer listed" in described


def test_disappearing_page_and_clinician_are_marked_gone_not_deleted(tmp_path):
    engine = open_database(tmp_path / "x.db")
    store(engine, [page(HOME, home_facts(), "h1"), page(TEAM, team_facts(people=("Jane Roe", "Ann Lee")), "t1")])
    result = store(engine, [page(HOME, None, "h1", unchanged=True),
                            page(TEAM, None, None, outcome="http_4xx", status=404, error="HTTP 404")])
    assert result.gone == 1
    with Session(engine) as session:
        team = session.exec(select(SourcePage).where(SourcePage.url == TEAM)).one()
        assert team.gone_at is not None and team.status == 404
        people = {c.name: c.gone_at for c in session.exec(select(Clinician))}
        assert set(people) == {"Jane Roe", "Ann Lee"} and all(people.values())
        assert count(engine, CredentialClaim) == 2  # the history of what they claimed stays
    assert "Jane Roe no longer listed" in changes(engine)
    # The page comes back: it is live again and so are its people.
    store(engine, [page(HOME, None, "h1", unchanged=True), page(TEAM, team_facts(people=("Jane Roe",)), "t3")])
    with Session(engine) as session:
        people = {c.name: c.gone_at for c in session.exec(select(Clinician))}
        assert people["Jane Roe"] is None and people["Ann Lee"] is not None


def test_site_that_is_down_keeps_its_last_good_facts_and_is_stale(tmp_path):
    engine = open_database(tmp_path / "x.db")
    store(engine, [page(HOME, home_facts(), "h1"), page(TEAM, team_facts(), "t1")])
    before = {model: count(engine, model) for model in (Clinician, CredentialClaim, ServiceArea, Offering, Fact)}
    result = store(engine, [PageRecord(url=HOME, site_key=SITE, outcome="connection", error="Connection refused"),
                            PageRecord(url=TEAM, site_key=SITE, outcome="timeout", error="took too long")])
    assert result.stale
    with Session(engine) as session:
        practice = session.exec(select(Practice)).one()
        assert practice.stale
        assert all(p.stale and p.gone_at is None for p in session.exec(select(SourcePage)))
    assert {model: count(engine, model) for model in before} == before
    assert any(c.startswith("Site unreachable") for c in changes(engine))
    store(engine, [page(HOME, None, "h1", unchanged=True), page(TEAM, None, "t1", unchanged=True)])
    with Session(engine) as session:
        assert not session.exec(select(Practice)).one().stale
    assert changes(engine)[-1] == "Site reachable again"


def test_unknown_site_that_is_down_creates_nothing(tmp_path):
    engine = open_database(tmp_path / "x.db")
    result = store(engine, [PageRecord(url=HOME, site_key=SITE, outcome="robots_disallowed", error="robots")])
    assert result.practice_id is None and count(engine, Practice) == 0


def test_hostile_values_are_validated_not_stored_raw(tmp_path):
    engine = open_database(tmp_path / "x.db")
    facts = home_facts()
    facts.states.append(StateFact("<script>", virtual=True))
    facts.routes.append("<img onerror=alert(1)>")
    hostile = team_facts(people=("<b>Eve</b> Mallory",))
    hostile.clinicians[0].role = "admin'); DROP TABLE practice;--"
    store(engine, [page(HOME, facts, "h1"), page(TEAM, hostile, "t1")])
    with Session(engine) as session:
        assert {a.state for a in session.exec(select(ServiceArea))} == {"MD", "FL"}
        assert {o.value for o in session.exec(select(Offering).where(Offering.kind == "route"))} == {
            "im", "oral_sublingual"}
        clinician = session.exec(select(Clinician)).one()
        assert clinician.role == "other" and clinician.name == "<b>Eve</b> Mallory"  # text, never rendered
    assert count(engine, Practice) == 1


def test_page_facts_round_trip():
    facts = home_facts()
    facts.clinicians = team_facts(("LCSW", "LPC")).clinicians
    assert page_facts_from_dict(page_facts_to_dict(facts)) == facts


def test_geocode_by_zip_gives_what_the_zip_database_says():
    """The ZIP index answers as ``zipcodes.matching`` does: its first entry's centroid; a malformed or unknown ZIP
    falls back to the city."""
    import zipcodes

    from directory.store import geocode

    for zip_code in ("21201", "10001", "97205-1234", "33101"):
        first = zipcodes.matching(zip_code[:5])[0]
        assert geocode(None, None, zip_code) == (float(first["lat"]), float(first["long"]))
    baltimore = geocode("Baltimore", "MD", None)
    assert baltimore[0] is not None
    for odd in ("2120", "abcde", "00000", "", None):
        assert geocode("Baltimore", "MD", odd) == baltimore
    assert geocode(None, None, "00000") == (None, None)
