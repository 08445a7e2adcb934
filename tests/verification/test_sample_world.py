"""Verdicts on the bundled sample world compared with its ground truth (TrueClinician.expected).

The directory side is written from the world's truth (what a perfect crawl and extraction would store) and
the board side from its TrueRecords (what the sources publish), so this measures verification alone; the
end-to-end demo (crawl, extract, sync, verify) is compared with the same truth by the pipeline's own tests.
"""

from datetime import datetime, timedelta

from directory.boards import registry
from directory.db import session_scope
from directory.extraction import taxonomy
from directory.models import Clinician, CredentialClaim, LicenseRecord, Practice, ServiceArea, SourceSync
from directory.names import name_key, parse_name
from directory.sample_world import world as world_module
from directory.verification import verdicts_for_clinician, verify_all
from directory.vocab import RecordKind

NOW = datetime(2026, 11, 23, 12, 0, 0)


def _load(session, world) -> dict[tuple[str, str], int]:
    ids = {}
    for tp in world.practices:
        practice = Practice.model_validate({"key": tp.key, "name": tp.name, "website": tp.url})
        session.add(practice)
        session.flush()
        for area in tp.states:
            session.add(ServiceArea.model_validate(
                {"practice_id": practice.id, "state": area.state, "in_person": area.in_person,
                 "virtual": area.virtual}))
        for tc in tp.clinicians:
            parsed = parse_name(tc.name)
            clinician = Clinician.model_validate({
                "practice_id": practice.id, "key": name_key(tc.name), "name": tc.name, "given_name": parsed.given,
                "middle_name": parsed.middle or None, "family_name": parsed.family, "role": tc.role, "npi": tc.npi,
            })
            session.add(clinician)
            session.flush()
            ids[(tp.key, tc.name)] = clinician.id
            # What a perfect extraction reads: team-page and bio credentials, and license numbers where shown.
            for code in dict.fromkeys([*tc.credentials, *(getattr(tc, "bio_credentials", None) or [])]):
                info = taxonomy.lookup(code)
                if info is None:
                    continue
                shown = next((r for r in tc.records if getattr(tc, "site_license_numbers", False)
                              and info.license_class and r.license_class == info.license_class.value
                              and r.kind == "license"), None)
                session.add(CredentialClaim.model_validate({
                    "clinician_id": clinician.id, "code": code, "kind": info.kind.value,
                    "license_class": info.license_class.value if info.license_class else None,
                    "state": shown.state if shown else None, "license_number": shown.number if shown else None,
                }))
            for i, tr in enumerate(tc.records):
                holder = parse_name(tr.holder_name or tc.name)
                session.add(LicenseRecord.model_validate({
                    "source": tr.source, "record_key": f"{tr.source}:{tr.number}:{i}", "kind": tr.kind,
                    "state": tr.state, "home_state": tr.home_state, "license_class": tr.license_class,
                    "title_raw": tr.title, "license_number": tr.number, "holder_name": tr.holder_name or tc.name,
                    "given_name": holder.given, "middle_name": holder.middle or None, "family_name": holder.family,
                    "given_key": name_key(holder.given), "family_key": name_key(holder.family),
                    "status": tr.status, "status_raw": tr.status_raw, "issue_date": tr.issued,
                    "expiry_date": tr.expires, "discipline": bool(tr.discipline), "discipline_text": tr.discipline,
                    "multistate": tr.multistate, "npi": tc.npi, "fetched_at": NOW - timedelta(days=1),
                    "source_as_of": NOW - timedelta(days=1), "source_url": f"http://{tr.source}.mirror/",
                }))
            if tc.excluded:
                state = tp.locations[0].state if tp.locations else tp.states[0].state
                session.add(LicenseRecord.model_validate({
                    "source": "oig_leie", "record_key": f"oig_leie:{tc.name}", "kind": RecordKind.EXCLUSION.value,
                    "state": state, "holder_name": tc.name, "given_name": parsed.given, "family_name": parsed.family,
                    "given_key": name_key(parsed.given), "family_key": name_key(parsed.family), "npi": tc.npi,
                    "status": "unknown", "status_raw": "1128b4", "fetched_at": NOW - timedelta(days=1),
                    "source_as_of": NOW - timedelta(days=5),
                }))
    for info in registry.all_sources():
        session.add(SourceSync.model_validate({"source": info.name, "status": "ok", "started_at": NOW,
                                               "finished_at": NOW, "source_as_of": NOW - timedelta(days=1)}))
    session.commit()
    return ids


def test_sample_world_verdicts_match_ground_truth(engine):
    world = world_module.load_world()
    with session_scope(engine) as session:
        ids = _load(session, world)
    verify_all(engine, now=NOW)
    mismatches = []
    with session_scope(engine) as session:
        for (practice_key, name, key), expected in sorted(world_module.expected_verdicts(world).items()):
            state, mode = key.split("/")
            rows = [r for r in verdicts_for_clinician(session, ids[(practice_key, name)])
                    if r.state == state and r.mode == mode]
            got = rows[0].verdict if rows else None
            if got != expected:
                mismatches.append(f"{practice_key} {name} {key}: expected {expected}, got {got}"
                                  f" ({rows[0].basis if rows else 'no claim'})")
    assert mismatches == [], "\n".join(mismatches)
