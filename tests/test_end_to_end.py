"""The demo database against the sample world's ground truth: what a user of the directory would see."""

from collections import Counter

from sqlmodel import Session, select

from directory.db import get_engine, resolve_url
from directory.models import Clinician, Practice, ServiceArea, Verification
from directory.names import parse_name
from directory.sample_world.world import expected_verdicts, load_world


def _person(name: str) -> tuple[str, str]:
    parsed = parse_name(name)
    return parsed.given_key, parsed.family_key


def _demo_verdicts(path) -> dict[tuple[str, tuple[str, str], str], list[str]]:
    found: dict = {}
    with Session(get_engine(resolve_url(path))) as session:
        rows = session.exec(
            select(Practice.key, Clinician.name, Verification.state, Verification.mode, Verification.verdict)
            .join(Clinician, Clinician.id == Verification.clinician_id)
            .join(Practice, Practice.id == Verification.practice_id)
            .where(Verification.claim_kind != "credential")
        ).all()
    for practice_key, name, state, mode, verdict in rows:
        found.setdefault((practice_key, _person(name), f"{state}/{mode}"), []).append(verdict)
    return found


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


def test_verdicts_match_the_ground_truth(demo_db):
    path, _ = demo_db
    found = _demo_verdicts(path)
    truth = expected_verdicts(load_world())
    outcomes: Counter = Counter()
    wrong = []
    for (practice_key, name, claim), verdict in truth.items():
        got = None
        for key in (practice_key, f"{practice_key}.example"):
            got = found.get((key, _person(name), claim)) or got
        if got is None:
            outcomes["missing"] += 1
            wrong.append(f"{practice_key} {name} {claim}: expected {verdict}, no verdict")
        elif verdict in got:
            outcomes["right"] += 1
        else:
            outcomes["wrong"] += 1
            wrong.append(f"{practice_key} {name} {claim}: expected {verdict}, got {got}")
    assert outcomes["right"] / len(truth) >= 0.95, "\n".join(wrong)
    # A wrong "verified" is worse than none: never a pass where the truth is a failure.
    passes = {"verified", "verified_compact_privilege", "verified_psypact", "verified_nlc",
              "verified_telehealth_registration", "verified_with_discipline"}
    false_passes = [w for w in wrong if w.split("expected ")[1].split(",")[0] not in passes
                    and any(p in w.split("got ")[-1] for p in passes)]
    assert not false_passes, "\n".join(false_passes)
