"""The demo database against the sample world's ground truth: what a user of the directory would see."""

from sqlmodel import Session, select

from directory.db import get_engine, resolve_url
from directory.models import Clinician, Practice, ServiceArea, Verification
from directory.names import name_key
from directory.sample_world.world import expected_verdicts, load_world
from directory.vocab import PASSING_VERDICTS

PASSES = {verdict.value for verdict in PASSING_VERDICTS}


def demo_verdicts(path) -> tuple[dict[tuple[str, str, str], tuple[str, str]], list[str]]:
    """(practice host, clinician name key, "ST/mode") -> (verdict, basis) for every license claim in the database,
    and the keys found twice (two clinicians of one name on one site would make the comparison unsound)."""
    found: dict[tuple[str, str, str], tuple[str, str]] = {}
    twice = []
    with Session(get_engine(resolve_url(path))) as session:
        rows = session.exec(
            select(Practice.key, Clinician.name, Verification.state, Verification.mode, Verification.verdict,
                   Verification.basis)
            .join(Clinician, Clinician.id == Verification.clinician_id)
            .join(Practice, Practice.id == Verification.practice_id)
            .where(Verification.claim_kind != "credential")
        ).all()
    for practice_key, name, state, mode, verdict, basis in rows:
        key = (practice_key, name_key(name.split(",")[0]), f"{state}/{mode}")
        if key in found:
            twice.append(" / ".join(key))
        found[key] = (verdict, basis)
    return found, twice


def test_every_practice_and_served_state_reaches_the_directory(demo_db):
    path, _ = demo_db
    world = load_world()
    with Session(get_engine(resolve_url(path))) as session:
        keys = {p.key for p in session.exec(select(Practice))}
        areas = {(p_key, state) for p_key, state in session.exec(
            select(Practice.key, ServiceArea.state).join(ServiceArea, ServiceArea.practice_id == Practice.id))}
    assert {p.host for p in world.practices} <= keys | {p.key for p in world.practices}
    truth = {(p.host, a.state) for p in world.practices for a in p.states if a.in_person or a.virtual}
    truth_by_key = {(p.key, a.state) for p in world.practices for a in p.states if a.in_person or a.virtual}
    recall = max(len(truth & areas), len(truth_by_key & areas)) / len(truth)
    assert recall >= 0.95, f"only {recall:.0%} of served states reached the directory"


def _truth(world) -> dict[tuple[str, str, str], tuple[str, str, str]]:
    hosts = {p.key: p.host for p in world.practices}
    return {(hosts[practice], name_key(name), claim): (practice, name, verdict)
            for (practice, name, claim), verdict in expected_verdicts(world).items()}


def test_verdicts_match_the_ground_truth(demo_db):
    """Every claim the sample world's sites make has exactly the true verdict: no tolerance, one key per claim.
    A pass where the truth is not a pass (a false pass) is the worst error and is counted on its own."""
    path, _ = demo_db
    found, twice = demo_verdicts(path)
    assert twice == [], "one clinician name twice on one site: " + ", ".join(twice)
    truth = _truth(load_world())
    wrong, false_passes = [], []
    for key, (practice, name, expected) in sorted(truth.items()):
        verdict, basis = found.get(key, (None, "no verdict"))
        if verdict != expected:
            wrong.append(f"{practice} / {name} / {key[2]}: expected {expected}, got {verdict}: {basis}")
            if verdict in PASSES and expected not in PASSES:
                false_passes.append(wrong[-1])
    assert false_passes == [], f"{len(false_passes)} false passes:\n" + "\n".join(false_passes)
    assert wrong == [], f"{len(wrong)} of {len(truth)} verdicts differ from the truth:\n" + "\n".join(wrong)


def test_no_claims_beyond_what_the_sites_make(demo_db):
    """A verdict on a claim no site makes comes from a clinician or state that extraction invented; a pass there
    is a false pass too."""
    path, _ = demo_db
    found, _ = demo_verdicts(path)
    truth = _truth(load_world())
    extra = {key: verdict for key, (verdict, _) in sorted(found.items()) if key not in truth}
    false_passes = [key for key, verdict in extra.items() if verdict in PASSES]
    assert false_passes == [], f"false passes on claims no site makes: {false_passes}"
    assert extra == {}, "claims no site makes: " + ", ".join(f"{' / '.join(k)}: {v}" for k, v in extra.items())
