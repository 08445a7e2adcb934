"""The query layer over a real migrated SQLite database."""

import pytest

from directory import egress
from directory.db import open_database, session_scope
from directory.egress import Policy, validate_seed
from directory.errors import KapdirError
from directory.queries import (
    add_seed,
    compare_clinicians,
    compare_practices,
    crawl_errors,
    due_summary,
    find_place,
    list_seeds,
    practice_badge,
    practice_detail,
    search_practices,
    source_freshness,
    vetting_checklist,
)
from directory.vocab import Badge
from tests.dashboard.builder import SCRIPT


def names(result):
    return [card.name for card in result.cards]


def test_virtual_search_in_florida_lists_each_virtual_practice_with_a_badge(directory_db):
    with session_scope(directory_db.engine) as session:
        result = search_practices(session, state="FL", mode="virtual")
    assert set(names(result)) == {"Calm Harbor Ketamine Therapy", "Gulf Breeze Retreats", f"Hostile {SCRIPT} Practice"}
    by_name = {card.name: card for card in result.cards}
    assert by_name["Calm Harbor Ketamine Therapy"].badge is Badge.VERIFIED
    assert "telehealth registration" in by_name["Calm Harbor Ketamine Therapy"].reason
    assert by_name["Gulf Breeze Retreats"].badge is Badge.WARNING
    assert by_name[f"Hostile {SCRIPT} Practice"].badge is Badge.UNVERIFIED
    assert names(result)[0] == "Calm Harbor Ketamine Therapy"  # best verified first


def test_in_person_search_excludes_virtual_only_practices_and_sorts_by_distance(directory_db):
    with session_scope(directory_db.engine) as session:
        result = search_practices(session, state="FL", mode="in_person", near="33602", sort="distance")
    assert names(result) == ["Suncoast Infusion Center", "Gulf Breeze Retreats"]
    assert result.cards[0].distance_miles < 5 < result.cards[1].distance_miles
    assert {p.city for p in result.locations} == {"Tampa", "Miami"}
    with session_scope(directory_db.engine) as session:
        near = search_practices(session, state="FL", mode="in_person", near="Tampa", radius_miles=50)
    assert names(near) == ["Suncoast Infusion Center"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"routes": ["iv"]}, {"Suncoast Infusion Center"}),
        ({"settings": ["retreat", "group"]}, {"Gulf Breeze Retreats"}),
        ({"therapy_included": True}, {"Gulf Breeze Retreats"}),
        ({"roles": ["prescriber"]}, {"Suncoast Infusion Center"}),
        ({"license_classes": ["professional_counselor"]}, {"Gulf Breeze Retreats"}),
        ({"verified_only": True}, {"Suncoast Infusion Center", "Gulf Breeze Retreats"}),
        ({"price_max": 1000}, {"Suncoast Infusion Center"}),
        ({"price_min": 1000}, {"Gulf Breeze Retreats"}),
        ({"prescriber": "partner"}, {"Gulf Breeze Retreats"}),
        ({"prescriber": "on_staff"}, {"Suncoast Infusion Center"}),
    ],
)
def test_filters_narrow_the_in_person_florida_search(directory_db, filters, expected):
    with session_scope(directory_db.engine) as session:
        result = search_practices(session, state="FL", mode="in_person", **filters)
    assert set(names(result)) == expected


def test_a_problem_practice_says_why_in_words(directory_db):
    with session_scope(directory_db.engine) as session:
        result = search_practices(session, state="TX", mode="virtual")
    (card,) = result.cards
    assert card.badge is Badge.PROBLEM
    assert "OIG" in card.reason and "Dale Hurst" in card.reason


def test_paging_splits_results(directory_db):
    with session_scope(directory_db.engine) as session:
        first = search_practices(session, state="FL", mode="virtual", page_size=2, sort="name")
        second = search_practices(session, state="FL", mode="virtual", page_size=2, page=2, sort="name")
    assert first.total == second.total == 3 and first.pages == 2
    assert len(first.cards) == 2 and len(second.cards) == 1
    assert not set(names(first)) & set(names(second))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"state": "ZZ", "mode": "virtual"}, "unknown state"),
        ({"state": "FL", "mode": "teleport"}, "unknown mode"),
        ({"state": "FL", "mode": "in_person", "near": "99999"}, "unknown ZIP"),
        ({"state": "FL", "mode": "in_person", "near": "Atlantis"}, "no city"),
        ({"state": "FL", "mode": "virtual", "sort": "random"}, "unknown sort"),
    ],
)
def test_bad_search_input_is_a_one_line_error(directory_db, kwargs, message):
    with session_scope(directory_db.engine) as session, pytest.raises(KapdirError, match=message):
        search_practices(session, **kwargs)


def test_find_place_uses_the_offline_zip_table():
    hartford = find_place("Hartford", state="CT")
    assert 41.5 < hartford.lat < 42 and -73 < hartford.lon < -72.5
    assert find_place("06103", state="CT").label.startswith("Hartford")


def test_practice_badge_never_counts_a_missing_check_as_a_pass():
    assert practice_badge([]) is Badge.UNVERIFIED
    assert practice_badge(["not_checkable", "source_unavailable"]) is Badge.UNVERIFIED
    assert practice_badge(["verified"]) is Badge.VERIFIED
    assert practice_badge(["verified", "expired"]) is Badge.WARNING
    assert practice_badge(["expired", "not_checkable"]) is Badge.PROBLEM
    assert practice_badge(["claimed"]) is Badge.UNVERIFIED


def test_practice_detail_has_verdict_evidence_facts_changes_and_staleness(directory_db):
    built = directory_db.built
    with session_scope(directory_db.engine) as session:
        detail = practice_detail(session, practice_id=built.practices["calmharbor.example"])
        stale = practice_detail(session, practice_id=built.practices["riverbend.example"])
    lucia = next(c for c in detail.clinicians if c.name == "Lucia Marren")
    ct = next(v for v in lucia.verdicts if v.state == "CT" and v.mode == "in_person")
    assert (ct.source, ct.license_number, ct.raw_status, ct.expires) == ("ct_socrata", "PC.0012345", "ACTIVE",
                                                                          "2027-01-31")
    assert ct.source_url.startswith("https://") and ct.checked_at is not None
    assert {c["code"] for c in lucia.credentials} == {"LPC", "LCPC", "NCC", "Fluence"}
    (name_fact,) = [f for f in detail.facts if f["field"] == "name"]  # one entry, two pages
    assert [src["url"] for src in name_fact["sources"]] == ["http://calmharbor.example/",
                                                             "http://calmharbor.example/about"]
    assert len(name_fact["snippets"]) == 2
    assert detail.changes[0]["description"].startswith("Added Virginia")
    assert detail.stale_note is None
    coverage = {row["state"]: row for row in detail.coverage}
    assert coverage["CT"]["in_person"] == "Lucia Marren"  # Owen Pratt's license expired
    assert coverage["FL"] == {"state": "FL", "in_person": "not offered", "virtual": "Lucia Marren",
                              "prescribing": "no verified prescriber"}
    assert coverage["VA"]["virtual"] == "nobody verified"
    assert detail.discrepancies == ["The site lists Virginia (virtual). No clinician holds a Virginia license."]
    assert "last crawl of this site failed" in stale.stale_note
    assert stale.discrepancies


def test_comparison_csv_defuses_spreadsheet_formulas():
    from directory.queries import Comparison

    text = Comparison(columns=["=HYPERLINK(\"http://x\")", "Calm"], rows=[("Prices", ["@SUM(A1)", "$450"])]).to_csv()
    assert text.splitlines() == ["aspect,\"'=HYPERLINK(\"\"http://x\"\")\",Calm", "Prices,'@SUM(A1),$450"]


def test_compare_and_checklist(directory_db):
    built = directory_db.built
    with session_scope(directory_db.engine) as session:
        comparison = compare_practices(
            session, practice_ids=[built.practices["calmharbor.example"], built.practices["suncoastinfusion.example"]]
        )
        people = compare_clinicians(
            session, clinician_ids=[built.clinicians["Lucia Marren"], built.clinicians["Dr. Ravi Castell"]]
        )
        checklist = vetting_checklist(session, clinician_id=built.clinicians["Lucia Marren"])
        with pytest.raises(KapdirError, match="2 to 4"):
            compare_practices(session, practice_ids=[built.practices["calmharbor.example"]])
    rows = dict(comparison.rows)
    assert rows["Therapy included"] == ["yes", "no"]
    assert "IV infusion" in rows["Routes"][1]
    csv_text = comparison.to_csv()
    assert csv_text.splitlines()[0] == "aspect,Calm Harbor Ketamine Therapy,Suncoast Infusion Center"
    assert "Credentials claimed" in dict(people.rows)
    text = checklist.to_text()
    assert "Fluence: claimed only" in text and "Not medical or legal advice" in text
    assert "Journey Clinical" in text


@pytest.mark.parametrize(
    ("url", "demo", "ok"),
    [
        ("https://calmharbor.com/", False, True),
        ("http://calmharbor.com", False, True),
        ("ftp://calmharbor.com/", False, False),
        ("javascript:alert(1)", False, False),
        ("http://127.0.0.1/", False, False),
        ("http://127.0.0.1/", True, True),
        ("http://10.0.0.5/", False, False),
        ("http://192.168.1.1:8080/", False, False),
        ("http://[::1]/", False, False),
        ("http://localhost/", False, False),
        ("http://2130706433/", False, False),
        ("http://0x7f.1/", False, False),
        ("http://169.254.169.254/latest/", False, False),
        ("http://calm.example/", False, False),
        ("http://calm.example/", True, True),
        ("http://user:pw@calmharbor.com/", False, False),
        ("http://intranet/", False, False),
        ("https://8.8.8.8/", False, True),
    ],
)
def test_seed_validation(url, demo, ok, public_dns):
    if ok:
        assert validate_seed(url, Policy(allow_private=demo)).startswith("http")
    else:
        with pytest.raises(KapdirError):
            validate_seed(url, Policy(allow_private=demo))


@pytest.fixture
def public_dns(monkeypatch):
    """A stand-in DNS: calmharbor.com is a public address; numeric host forms resolve as glibc resolves them."""
    answers = {"calmharbor.com": ["93.184.216.34"], "2130706433": ["127.0.0.1"], "0x7f.1": ["127.0.0.1"]}
    numeric = {host: [host] for host in ("127.0.0.1", "10.0.0.5", "192.168.1.1", "::1", "169.254.169.254", "8.8.8.8")}
    monkeypatch.setattr(egress, "system_resolve", lambda host, port: {**numeric, **answers}.get(host, []))


def test_add_seed_stores_and_refuses_duplicates(tmp_path, public_dns):
    engine = open_database(tmp_path / "seeds.db")
    strict = Policy()
    with session_scope(engine) as session:
        add_seed(session, url="https://calmharbor.com", policy=strict)
        with pytest.raises(KapdirError, match="already"):
            add_seed(session, url="https://calmharbor.com/", policy=strict)
        with pytest.raises(KapdirError):
            add_seed(session, url="http://127.0.0.1/", policy=strict)
        assert [s.url for s in list_seeds(session)] == ["https://calmharbor.com/"]


def test_admin_history_freshness_and_due(directory_db):
    with session_scope(directory_db.engine) as session:
        errors = crawl_errors(session, crawl_run_id=directory_db.built.crawl_runs[0])
        freshness = {row["source"]: row for row in source_freshness(session)}
        due = due_summary(session)
    assert [e["url"] for e in errors] == ["http://riverbend.example/team"]
    assert freshness["ct_socrata"]["freshness"] == "fresh"
    assert freshness["tx_bhec"]["due"] and freshness["tx_bhec"]["last_status"] == "error"
    assert due.practices_stale == 1 and "tx_bhec" in due.sources_stale


def test_search_results_do_not_depend_on_the_id_chunk_size(tmp_path, monkeypatch):
    from directory.queries import search as queries
    from tests.dashboard.builder import build_bulk

    engine = open_database(tmp_path / "bulk.db")
    build_bulk(engine, clinicians=400, seed=3)

    def run():
        rows = []
        with session_scope(engine) as session:
            for state, mode, near in (("CA", "virtual", None), ("TX", "in_person", "78701"), ("NY", "in_person", None)):
                result = search_practices(session, state=state, mode=mode, near=near, page_size=500)
                rows += [(c.practice_id, c.badge, c.badge_counts, c.price_min, c.distance_miles) for c in result.cards]
                rows += [(p.practice_id, p.lat, p.lon) for p in result.locations]
        return rows

    whole = run()
    original = queries._chunks
    monkeypatch.setattr(queries, "_chunks", lambda ids, size=2000: original(ids, 3))
    assert len(whole) > 10 and run() == whole
