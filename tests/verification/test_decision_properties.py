"""Properties of the pure decision (no database): whatever the records, source health, freshness and exclusion
check, a pass rests on fresh, active, firmly matched evidence of a permitted class, with a fresh exclusion check
naming nobody of that name, and no equally fresh source of the same license saying otherwise.
"""

from dataclasses import replace
from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from directory.verification.decision import ClaimFacts, Context, ExclusionCheck, decide
from directory.verification.evidence import Candidate, Evidence, Identity
from directory.verification.health import SourceHealth
from directory.verification.rules import authorities
from directory.vocab import LicenseClass, LicenseStatus, RecordKind, ServiceMode, Verdict

NOW = datetime(2026, 11, 23, 12, 0, 0)
TODAY = NOW.date()
FRESH_AFTER = NOW - timedelta(days=45)
STATES = ["CT", "MN", "FL", "CO", "AZ", "VA", "NC"]
SOURCES = ["ct_socrata", "ct_elicense", "counseling_compact", "fl_mqa", "psypact", "nursys"]
CLASSES = [c.value for c in LicenseClass] + [None]
KINDS = [RecordKind.LICENSE.value] * 3 + [RecordKind.COMPACT_PRIVILEGE.value, RecordKind.PSYPACT_AUTHORITY.value,
                                          RecordKind.TELEHEALTH_REGISTRATION.value]

@st.composite
def scenario(draw):
    """A claim, records biased towards ones that could back it, source health, and an exclusion check."""
    claim = ClaimFacts(
        draw(st.sampled_from(["service", "service", "prescribing", "credential"])), draw(st.sampled_from(STATES)),
        draw(st.one_of(st.none(), st.sampled_from(list(ServiceMode)))),
        draw(st.one_of(st.just(frozenset({"professional_counselor", "psychologist", "registered_nurse"})),
                       st.frozensets(st.sampled_from([c.value for c in LicenseClass]), max_size=3))), ("ct_socrata",))
    wanted = sorted(claim.wanted) or ["professional_counselor"]
    found = []
    for i in range(draw(st.integers(0, 5))):
        status = draw(st.sampled_from(["active"] * 6 + [s.value for s in LicenseStatus]))
        expiry = draw(st.one_of(st.none(), st.integers(-100, 400)))
        age = draw(st.one_of(st.integers(0, 5), st.integers(0, 120), st.none()))
        record = Evidence(
            id=i + 1, source=draw(st.sampled_from(SOURCES)), record_key=f"r{i}", kind=draw(st.sampled_from(KINDS)),
            state=draw(st.one_of(st.just(claim.state), st.sampled_from(STATES))),
            license_class=draw(st.one_of(st.sampled_from(wanted), st.sampled_from(CLASSES))), title=None,
            license_number=draw(st.sampled_from(["A1", "A2", None])), holder_name="ROE, JANE", status=status,
            status_raw=status.upper(), expires=TODAY + timedelta(days=expiry) if expiry is not None else None,
            discipline=draw(st.booleans()), multistate=draw(st.one_of(st.none(), st.booleans())),
            home_state=draw(st.one_of(st.none(), st.sampled_from(STATES))),
            as_of=NOW - timedelta(days=age) if age is not None else None,
        )
        identity = draw(st.sampled_from([Identity.FULL_NAME, Identity.LICENSE_NUMBER, *Identity]))
        found.append(Candidate(record, draw(st.floats(0.8, 1.0)), identity))
    if found and draw(st.booleans()):  # a record that backs the claim, unless something else stops it
        found[0] = Candidate(replace(found[0].evidence, kind="license", state=claim.state, status="active",
                                     license_class=wanted[0], expires=None, as_of=NOW - timedelta(days=1),
                                     source="ct_socrata"), 1.0, Identity.FULL_NAME)
    if found and draw(st.booleans()):  # another source publishing the same license, as fresh, maybe disagreeing
        first = found[0]
        status = draw(st.sampled_from([s.value for s in LicenseStatus]))
        copy = replace(first.evidence, id=len(found) + 1, source="ct_elicense", status=status,
                       license_number=first.evidence.license_number or "A1")
        found[0] = Candidate(replace(first.evidence, license_number=copy.license_number), first.score,
                             first.identity)
        found.append(Candidate(copy, first.score, first.identity))
    hc = {source: SourceHealth(source, draw(st.sampled_from([True, True, True, False])), "h", NOW)
          for source in SOURCES if draw(st.integers(0, 5))}
    checked = draw(st.sampled_from([True, True, True, False]))
    leie = SourceHealth("oig_leie", checked, "oig_leie data as of 2026-11-20" if checked else "never synced", NOW)
    entry = Candidate(Evidence(id=99_999, source="oig_leie", record_key="oig_leie:1", kind="exclusion",
                               state="NV", license_class=None, title=None, license_number=None,
                               holder_name="ROE, JANE", status="active", status_raw="1128b4"), 1.0,
                      Identity.FULL_NAME)
    exc = ExclusionCheck(checked, leie, excluded=draw(st.sampled_from([None] * 9 + [entry])),
                         possible=draw(st.sampled_from([None] * 9 + [entry])))
    return claim, found, hc, exc


def _class_permitted(candidate: Candidate, decision, wanted) -> bool:
    cls = candidate.evidence.license_class
    if cls is None and decision.authority is not None and len(decision.authority.license_classes) == 1:
        cls = next(iter(decision.authority.license_classes)).value
    return cls is not None and cls != LicenseClass.OTHER.value and cls in wanted


@settings(max_examples=1000, deadline=None)
@given(scenario())
def test_no_pass_without_fresh_active_firm_permitted_evidence_and_a_fresh_exclusion_check(data):
    claim, found, hc, exc = data
    ctx = Context(now=NOW, stale_days=45, health=hc, authorities=authorities())
    decision = decide(claim, found, exc, ctx)
    assert isinstance(decision.verdict, Verdict)
    if not decision.verdict.is_pass:
        return
    record = decision.candidate
    assert record is not None
    assert record.evidence.passing_status(TODAY)
    assert _class_permitted(record, decision, claim.wanted)
    assert hc.get(record.evidence.source) is not None and hc[record.evidence.source].available
    assert record.evidence.as_of is not None and record.evidence.as_of >= FRESH_AFTER
    assert exc.checked and exc.excluded is None and exc.possible is None
    assert record.identity.strong
    if decision.authority is None:
        assert record.evidence.kind == RecordKind.LICENSE.value and record.evidence.state == claim.state
    else:
        assert decision.authority.issues_in(claim.state, TODAY) and claim.mode in decision.authority.modes
    if claim.mode == ServiceMode.IN_PERSON:
        assert decision.verdict not in (Verdict.VERIFIED_PSYPACT, Verdict.VERIFIED_TELEHEALTH_REGISTRATION)
    # No source of the same license (number and class), as fresh or fresher, says it is not in force.
    same = [c for c in found if c.license_key == record.license_key
            and c.evidence.license_class == record.evidence.license_class]
    newest = max((c.evidence.as_of or datetime.min).date() for c in same)
    assert all(c.evidence.passing_status(TODAY) for c in same if (c.evidence.as_of or datetime.min).date() == newest)


@settings(max_examples=200, deadline=None)
@given(scenario())
def test_a_failing_exclusion_check_or_a_loose_name_never_passes(data):
    claim, found, hc, exc = data
    ctx = Context(now=NOW, stale_days=45, health=hc, authorities=authorities())
    loose = [Candidate(c.evidence, c.score, Identity.NAME_ONLY) for c in found]
    assert not decide(claim, loose, exc, ctx).verdict.is_pass
    down = ExclusionCheck(False, SourceHealth("oig_leie", False, "down", None))
    assert not decide(claim, found, down, ctx).verdict.is_pass


def test_the_decision_needs_no_database():
    """decide() is a pure function of its arguments: same inputs, same decision."""
    record = Evidence(id=1, source="ct_socrata", record_key="k", kind="license", state="CT",
                      license_class="professional_counselor", title="PROFESSIONAL COUNSELOR",
                      license_number="PRC.1", holder_name="ROE, JANE", status="active", status_raw="ACTIVE",
                      expires=date(2027, 1, 1), as_of=NOW - timedelta(days=1))
    claim = ClaimFacts("service", "CT", ServiceMode.IN_PERSON, frozenset({"professional_counselor"}))
    ctx = Context(NOW, 45, {"ct_socrata": SourceHealth("ct_socrata", True, "ok", NOW)}, authorities())
    ok = ExclusionCheck(True, SourceHealth("oig_leie", True, "ok", NOW))
    first = decide(claim, [Candidate(record, 1.0, Identity.FULL_NAME)], ok, ctx)
    assert first == decide(claim, [Candidate(record, 1.0, Identity.FULL_NAME)], ok, ctx)
    assert first.verdict == Verdict.VERIFIED and first.reason == "active"
