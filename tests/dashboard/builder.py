"""A small, realistic directory written through the models (the dashboard's test world).

Several practices in several states, clinicians with claims, verdicts of many kinds with evidence,
facts with snippets, changes, a stale practice, crawl and sync history, and one hostile practice whose
clinician names and bios carry script and image payloads. Also a fast bulk generator for benchmarks.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from directory.db import session_scope
from directory.models import (
    Change,
    Clinician,
    CrawlRun,
    CredentialClaim,
    Discrepancy,
    Fact,
    FetchLog,
    LicenseRecord,
    Location,
    Offering,
    Practice,
    Seed,
    ServiceArea,
    SourceSync,
    Verification,
)
from directory.timeutil import utcnow

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
NOW = utcnow().replace(microsecond=0)
FETCHED = NOW - timedelta(days=2)


@dataclass
class Built:
    """Ids of the interesting rows, by name, for the tests to point at."""

    practices: dict[str, int] = field(default_factory=dict)
    clinicians: dict[str, int] = field(default_factory=dict)
    crawl_runs: list[int] = field(default_factory=list)


def _verdict(session, built: Built, practice: str, clinician: str, state: str, mode: str, verdict: str, *,
             source: str | None = None, number: str | None = None, raw: str | None = None,
             expires: str | None = None, basis: str, checked: datetime | None = None,
             claim_kind: str = "service", code: str | None = None) -> None:
    evidence = None
    if source:
        evidence = {
            "source": source, "record_id": f"{source}:{number}", "license_number": number, "raw_status": raw,
            "expires": expires, "source_as_of": (NOW - timedelta(days=3)).date().isoformat(),
            "source_url": f"https://data.example.gov/{source}/{number}",
        }
    session.add(Verification.model_validate({
        "claim_key": f"{built.clinicians[clinician]}:{claim_kind}:{state}:{mode}:{code}",
        "clinician_id": built.clinicians[clinician], "practice_id": built.practices[practice],
        "claim_kind": claim_kind, "state": state, "mode": mode, "credential_code": code, "verdict": verdict,
        "basis": basis, "evidence": evidence, "checked_at": checked or NOW - timedelta(days=1),
        "expires_at": (checked or NOW) + timedelta(days=90),
    }))


def _practice(session, built: Built, key: str, name: str, *, states: list[tuple[str, bool | None, bool | None]],
              locations: list[tuple[str, str, str, str]] = (), routes: list[str] = (), settings: list[str] = (),
              prices: list[tuple[float, str]] = (), therapy: bool | None = True, partner: str | None = None,
              stale: bool = False, last_crawled: datetime | None = FETCHED, discrepancies: list[str] = (),
              insurance: str | None = None) -> int:
    url = f"http://{key}/"
    practice = Practice.model_validate({
        "key": key, "name": name, "website": url, "therapy_included": therapy, "medical_partner": partner,
        "insurance": insurance, "phones": ["+12025550142"], "emails": [f"hello@{key}"],
        "discrepancies": list(discrepancies),
        "last_crawled": last_crawled, "stale": stale, "first_seen": NOW - timedelta(days=40),
        "last_seen": last_crawled or NOW - timedelta(days=40),
    })
    session.add(practice)
    session.flush()
    built.practices[key] = practice.id
    for state, in_person, virtual in states:
        session.add(ServiceArea.model_validate({
            "practice_id": practice.id, "state": state, "in_person": in_person, "virtual": virtual,
            "source_url": url, "snippet": f"Serving {state}", "fetched_at": FETCHED,
        }))
    for street, city, state, zip_code in locations:
        session.add(Location.model_validate({
            "practice_id": practice.id, "address": street, "city": city, "state": state, "zip": zip_code,
            "source_url": url + "locations", "fetched_at": FETCHED,
        }))
    for route in routes:
        session.add(Offering.model_validate({"practice_id": practice.id, "kind": "route", "value": route,
                                             "source_url": url + "services", "fetched_at": FETCHED}))
    for setting in settings:
        session.add(Offering.model_validate({"practice_id": practice.id, "kind": "setting", "value": setting,
                                             "source_url": url + "services", "fetched_at": FETCHED}))
    for amount, unit in prices:
        session.add(Offering.model_validate({
            "practice_id": practice.id, "kind": "price", "value": f"${amount:.0f} per {unit}", "amount_usd": amount,
            "unit": unit, "source_url": url + "fees", "snippet": f"${amount:.0f} per {unit}", "fetched_at": FETCHED,
        }))
    session.add(Fact.model_validate({
        "practice_id": practice.id, "field": "name", "value": name, "snippet": f"Welcome to {name}",
        "source_url": url, "fetched_at": FETCHED,
    }))
    return practice.id


def _clinician(session, built: Built, practice: str, name: str, role: str, codes: list[tuple[str, str, str | None,
               str | None]], *, bio: str = "", npi: str | None = None) -> int:
    key = name.lower().replace(" ", "-")
    clinician = Clinician.model_validate({
        "practice_id": built.practices[practice], "key": key[:120], "name": name, "role": role, "bio": bio,
        "npi": npi,
    })
    session.add(clinician)
    session.flush()
    built.clinicians[name] = clinician.id
    for code, kind, license_class, state in codes:
        session.add(CredentialClaim.model_validate({
            "clinician_id": clinician.id, "code": code, "kind": kind, "license_class": license_class,
            "state": state, "source_url": f"http://{practice}/team", "snippet": f"{name}, {code}",
            "fetched_at": FETCHED,
        }))
    session.add(Fact.model_validate({
        "practice_id": built.practices[practice], "clinician_id": clinician.id, "field": "clinician",
        "value": name, "snippet": f"Meet {name}. {bio}"[:300], "source_url": f"http://{practice}/team",
        "fetched_at": FETCHED,
    }))
    return clinician.id


LICENSE = "state_license"
TRAINING = "training"
CERT = "national_certification"


def build_directory(engine: Engine) -> Built:
    """Write the dashboard's small test directory into a migrated database."""
    built = Built()
    with session_scope(engine) as session:
        # 1. Connecticut + Maryland + Virginia + Florida (virtual): a multi-state counselor practice.
        _practice(session, built, "calmharbor.example", "Calm Harbor Ketamine Therapy",
                  states=[("CT", True, True), ("MD", None, True), ("VA", None, True), ("FL", False, True)],
                  locations=[("100 Pearl St", "Hartford", "CT", "06103")],
                  routes=["oral_sublingual", "im"], settings=["clinic", "at_home"],
                  prices=[(450, "session"), (1800, "package")], partner="Journey Clinical",
                  insurance="out_of_network_superbill")
        _clinician(session, built, "calmharbor.example", "Lucia Marren", "therapist", [
            ("LPC", LICENSE, "professional_counselor", "CT"), ("LCPC", LICENSE, "professional_counselor", "MD"),
            ("NCC", CERT, None, None), ("Fluence", TRAINING, None, None)],
            bio="Lucia trained with Fluence and has practised in Hartford since 2012.")
        _clinician(session, built, "calmharbor.example", "Owen Pratt", "therapist", [
            ("LCSW", LICENSE, "clinical_social_worker", "CT")], bio="Owen integrates somatic work.")
        _verdict(session, built, "calmharbor.example", "Lucia Marren", "CT", "in_person", "verified",
                 source="ct_socrata", number="PC.0012345", raw="ACTIVE", expires="2027-01-31",
                 basis="Active Connecticut Licensed Professional Counselor license PC.0012345.")
        _verdict(session, built, "calmharbor.example", "Lucia Marren", "CT", "virtual", "verified",
                 source="ct_socrata", number="PC.0012345", raw="ACTIVE", expires="2027-01-31",
                 basis="Active Connecticut Licensed Professional Counselor license PC.0012345.")
        _verdict(session, built, "calmharbor.example", "Lucia Marren", "MD", "virtual", "verified_compact_privilege",
                 source="counseling_compact", number="MD-PRIV-881", raw="Active",
                 basis="Counseling Compact privilege to practise in Maryland, home state Connecticut.")
        _verdict(session, built, "calmharbor.example", "Lucia Marren", "FL", "virtual",
                 "verified_telehealth_registration", source="fl_mqa", number="TPC1234", raw="CLEAR/ACTIVE",
                 basis="Florida s.456.47 out-of-state telehealth registration TPC1234 (virtual care only).")
        _verdict(session, built, "calmharbor.example", "Lucia Marren", "VA", "virtual", "not_found",
                 basis="No Virginia counselor license matching Lucia Marren was found at the Virginia DHP.")
        _verdict(session, built, "calmharbor.example", "Owen Pratt", "CT", "in_person", "expired",
                 source="ct_socrata", number="SW.004411", raw="INACTIVE", expires="2025-06-30",
                 basis="Connecticut LCSW license SW.004411 expired on 2025-06-30.")
        _verdict(session, built, "calmharbor.example", "Lucia Marren", None, None, "claimed", claim_kind="credential",
                 code="Fluence", basis="Fluence training is claimed on the website; no public directory confirms it.")
        session.add(Fact.model_validate({  # the same fact repeated on a second page
            "practice_id": built.practices["calmharbor.example"], "field": "name",
            "value": "Calm Harbor Ketamine Therapy", "snippet": "About Calm Harbor Ketamine Therapy",
            "source_url": "http://calmharbor.example/about", "fetched_at": FETCHED,
        }))
        # Facts whose values are codes or raw numbers: the page shows them in words.
        for field, value in (("insurance", "out_of_network_superbill"), ("routes", ["oral_sublingual", "im"]),
                             ("therapy_included", True), ("phones", ["+12025550142"])):
            session.add(Fact.model_validate({
                "practice_id": built.practices["calmharbor.example"], "field": field, "value": value,
                "snippet": "We provide a superbill; sublingual and IM ketamine with therapy.",
                "source_url": "http://calmharbor.example/fees", "fetched_at": FETCHED,
            }))
        session.add(Discrepancy.model_validate({
            "practice_id": built.practices["calmharbor.example"], "state": "VA", "mode": "virtual",
            "text": "The site lists Virginia (virtual). No clinician holds a Virginia license.",
        }))
        session.add(Change.model_validate({
            "practice_id": built.practices["calmharbor.example"], "at": NOW - timedelta(days=2),
            "description": "Added Virginia (virtual) to the states served.",
        }))

        # 2. Florida in-person infusion clinic, medical only, with a prescriber.
        _practice(session, built, "suncoastinfusion.example", "Suncoast Infusion Center",
                  states=[("FL", True, False)], locations=[("200 Bay St", "Tampa", "FL", "33602")],
                  routes=["iv", "esketamine_spravato"], settings=["clinic"], prices=[(650, "session")], therapy=False)
        _clinician(session, built, "suncoastinfusion.example", "Dr. Ravi Castell", "prescriber", [
            ("MD", LICENSE, "physician", "FL")], npi="1234567893")
        _verdict(session, built, "suncoastinfusion.example", "Dr. Ravi Castell", "FL", "in_person", "verified",
                 source="fl_mqa", number="ME123456", raw="CLEAR/ACTIVE",
                 basis="Active Florida medical doctor license ME123456.")
        _verdict(session, built, "suncoastinfusion.example", "Dr. Ravi Castell", "FL", "prescribing", "verified",
                 source="fl_mqa", number="ME123456", raw="CLEAR/ACTIVE",
                 basis="Active Florida physician license; DEA registration is not publicly checkable.")

        # 3. Florida group / retreat practice, therapist on probation.
        _practice(session, built, "gulfretreat.example", "Gulf Breeze Retreats",
                  states=[("FL", True, True)], locations=[("12 Beach Rd", "Miami", "FL", "33139")],
                  routes=["im"], settings=["group", "retreat"], prices=[(3500, "package")],
                  partner="Independent medical provider")
        _clinician(session, built, "gulfretreat.example", "Mara Velden", "therapist", [
            ("LMHC", LICENSE, "professional_counselor", "FL"), ("MAPS", TRAINING, None, None)])
        for mode in ("in_person", "virtual"):
            _verdict(session, built, "gulfretreat.example", "Mara Velden", "FL", mode, "verified_with_discipline",
                     source="fl_mqa", number="MH9876", raw="CLEAR/ACTIVE/PROBATION",
                     basis="Active Florida LMHC license MH9876 with probation on record.")

        # 4. Texas practice with an excluded (LEIE) clinician.
        _practice(session, built, "lonestarkap.example", "Lone Star KAP",
                  states=[("TX", True, True)], locations=[("500 Congress Ave", "Austin", "TX", "78701")],
                  routes=["oral_sublingual"], settings=["clinic"], prices=[(300, "session")])
        _clinician(session, built, "lonestarkap.example", "Dale Hurst", "therapist", [
            ("LPC", LICENSE, "professional_counselor", "TX")])
        _verdict(session, built, "lonestarkap.example", "Dale Hurst", "TX", "in_person", "excluded",
                 source="oig_leie", number="LEIE-77", raw="1128a1",
                 basis="Listed on the OIG exclusion list since 2021-03-18.")
        _verdict(session, built, "lonestarkap.example", "Dale Hurst", "TX", "virtual", "excluded",
                 source="oig_leie", number="LEIE-77", raw="1128a1",
                 basis="Listed on the OIG exclusion list since 2021-03-18.")

        # 5. New Mexico: no public source at all.
        _practice(session, built, "desertmind.example", "Desert Mind Wellness",
                  states=[("NM", True, True)], locations=[("1 Plaza", "Santa Fe", "NM", "87501")],
                  routes=["intranasal"], settings=["at_home"])
        _clinician(session, built, "desertmind.example", "Ana Quell", "therapist", [
            ("LPCC", LICENSE, "professional_counselor", "NM")])
        _verdict(session, built, "desertmind.example", "Ana Quell", "NM", "virtual", "not_checkable",
                 basis="kapdir has no public source for New Mexico counselor licenses.")

        # 6. A stale practice in Connecticut (its last crawl failed), two clinicians with the same name.
        _practice(session, built, "riverbend.example", "Riverbend Psychedelic Therapy",
                  states=[("CT", True, True)], locations=[("9 Main St", "New Haven", "CT", "06510")],
                  routes=["oral_sublingual"], settings=["clinic"], stale=True, last_crawled=NOW - timedelta(days=9),
                  discrepancies=["The team page lists Sam Ortiz as LPC; the bio page says LMFT."])
        _clinician(session, built, "riverbend.example", "Sam Ortiz", "therapist", [
            ("LMFT", LICENSE, "marriage_family_therapist", "CT")])
        _verdict(session, built, "riverbend.example", "Sam Ortiz", "CT", "in_person", "ambiguous",
                 basis="Two Connecticut records named Sam Ortiz match; the license number is needed.")

        # 7. The hostile practice: payloads in names and bios must show as text.
        _practice(session, built, "hostile.example", f"Hostile {SCRIPT} Practice",
                  states=[("CT", False, True), ("FL", False, True)], routes=["oral_sublingual"],
                  settings=["at_home"])
        _clinician(session, built, "hostile.example", f"Eve {SCRIPT} Mallory", "therapist", [
            ("LPC", LICENSE, "professional_counselor", "CT")],
            bio=f"Bio with {IMG} and **bold** [link](javascript:alert(1))")
        _clinician(session, built, "hostile.example", f"Mal {IMG} Icious", "therapist", [
            ("LCSW", LICENSE, "clinical_social_worker", "CT")], bio=f"{SCRIPT} loves markdown _underscores_")
        _verdict(session, built, "hostile.example", f"Eve {SCRIPT} Mallory", "CT", "virtual", "not_found",
                 basis=f"No Connecticut record for Eve {SCRIPT} Mallory.")

        # Seeds, crawl and sync history.
        for key in built.practices:
            session.add(Seed.model_validate({"url": f"http://{key}/", "origin": "demo"}))
        run = CrawlRun.model_validate({
            "started_at": NOW - timedelta(days=2), "finished_at": NOW - timedelta(days=2, seconds=-40),
            "status": "finished", "seeds": ["http://calmharbor.example/"], "pages": 42, "new": 7, "changed": 1,
            "unchanged": 30, "gone": 0, "errors": {"http_5xx": 1, "timeout": 1}, "duration_s": 40.0,
        })
        session.add(run)
        session.flush()
        built.crawl_runs.append(run.id)
        session.add(FetchLog.model_validate({"crawl_run_id": run.id, "url": "http://riverbend.example/team",
                                             "status": 503, "outcome": "http_5xx", "error": "Service Unavailable"}))
        session.add(FetchLog.model_validate({"crawl_run_id": run.id, "url": "http://calmharbor.example/",
                                             "status": 200, "outcome": "ok"}))
        session.add(SourceSync.model_validate({
            "source": "ct_socrata", "started_at": NOW - timedelta(days=1), "finished_at": NOW - timedelta(days=1),
            "status": "ok", "records": 1200, "added": 1200, "source_as_of": NOW - timedelta(days=3),
        }))
        session.add(SourceSync.model_validate({
            "source": "tx_bhec", "started_at": NOW - timedelta(days=100), "finished_at": NOW - timedelta(days=100),
            "status": "ok", "records": 900, "added": 900,
        }))
        session.add(SourceSync.model_validate({
            "source": "tx_bhec", "started_at": NOW - timedelta(hours=3), "finished_at": NOW - timedelta(hours=3),
            "status": "error", "error": "HTTP 503 from the roster download",
        }))
        session.add(LicenseRecord.model_validate({
            "source": "ct_socrata", "record_key": "PC.0012345", "state": "CT",
            "license_class": "professional_counselor",
            "license_number": "PC.0012345", "holder_name": "Lucia Marren", "status": "active", "status_raw": "ACTIVE",
        }))
        session.commit()
    return built


# --- bulk generator (benchmarks) ------------------------------------------------------------------

STATES = ["CA", "CO", "CT", "FL", "GA", "IL", "MA", "MD", "NC", "NY", "OR", "TX", "VA", "WA", "AZ", "NM"]
CITIES = {"CA": ("Los Angeles", "90012"), "CO": ("Denver", "80202"), "CT": ("Hartford", "06103"),
          "FL": ("Tampa", "33602"), "GA": ("Atlanta", "30303"), "IL": ("Chicago", "60601"),
          "MA": ("Boston", "02108"), "MD": ("Baltimore", "21201"), "NC": ("Raleigh", "27601"),
          "NY": ("New York", "10001"), "OR": ("Portland", "97201"), "TX": ("Austin", "78701"),
          "VA": ("Richmond", "23219"), "WA": ("Seattle", "98101"), "AZ": ("Phoenix", "85004"),
          "NM": ("Santa Fe", "87501")}
VERDICTS = ["verified", "verified", "verified", "verified_compact_privilege", "expired", "not_found",
            "not_checkable", "verified_with_discipline", "source_unavailable"]


def build_bulk(engine: Engine, *, clinicians: int, per_practice: int = 5, seed: int = 0) -> int:
    """A generated directory of `clinicians` clinicians (bulk inserts; a few seconds per 50,000)."""
    rng = random.Random(seed)
    n_practices = max(1, clinicians // per_practice)
    practices, areas, locations, offerings, people, checks = [], [], [], [], [], []
    now = utcnow()
    for pid in range(1, n_practices + 1):
        home = rng.choice(STATES)
        served = {home, *rng.sample(STATES, rng.randint(0, 3))}
        practices.append({"id": pid, "key": f"p{pid}.example", "name": f"Practice {pid}",
                          "website": f"http://p{pid}.example/", "therapy_included": rng.random() < 0.8,
                          "medical_partner": "Journey Clinical" if rng.random() < 0.3 else None,
                          "phones": [], "emails": [], "booking_urls": [], "discrepancies": [],
                          "first_seen": now, "last_seen": now, "last_crawled": now, "stale": False})
        for state in sorted(served):
            areas.append({"practice_id": pid, "state": state, "in_person": state == home, "virtual": True})
        city, zip_code = CITIES[home]
        locations.append({"practice_id": pid, "address": f"{pid} Main St", "city": city, "state": home,
                          "zip": zip_code})
        for route in rng.sample(["iv", "im", "oral_sublingual", "intranasal", "esketamine_spravato"], 2):
            offerings.append({"practice_id": pid, "kind": "route", "value": route, "amount_usd": None, "unit": None})
        for setting in rng.sample(["clinic", "at_home", "group", "retreat"], 2):
            offerings.append({"practice_id": pid, "kind": "setting", "value": setting, "amount_usd": None,
                              "unit": None})
        price = rng.choice([250, 400, 550, 700, 900, 1200])
        offerings.append({"practice_id": pid, "kind": "price", "value": f"${price}", "amount_usd": price,
                          "unit": "session"})
        for j in range(per_practice):
            cid = (pid - 1) * per_practice + j + 1
            role = "prescriber" if j == 0 and rng.random() < 0.4 else "therapist"
            people.append({"id": cid, "practice_id": pid, "key": f"c{cid}", "name": f"Clinician {cid}", "role": role,
                           "first_seen": now, "last_seen": now})
            for state in sorted(served):
                for mode in ("in_person", "virtual") if state == home else ("virtual",):
                    checks.append({"claim_key": f"{cid}:{state}:{mode}", "clinician_id": cid, "practice_id": pid,
                                   "claim_kind": "service", "state": state, "mode": mode,
                                   "verdict": rng.choice(VERDICTS), "basis": "generated", "checked_at": now})
    with engine.begin() as connection:
        for model, rows in ((Practice, practices), (ServiceArea, areas), (Location, locations),
                            (Offering, offerings), (Clinician, people), (Verification, checks)):
            for start in range(0, len(rows), 5000):
                connection.execute(insert(model), rows[start : start + 5000])
    return n_practices
