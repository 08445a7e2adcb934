"""Per practice and state: who may legally serve it in person and virtually, who prescribes, what is wrong.

Built from the stored verdicts, so the dashboard, the export and the CLI all say the same thing.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, insert, true
from sqlmodel import Session, select

from directory.models import Clinician, CredentialClaim, Discrepancy, Practice, ServiceArea, Verification
from directory.verification.claims import claimed_classes
from directory.verification.rules import authorities
from directory.verification.wording import state_name
from directory.vocab import Badge, ServiceMode, Verdict, badge_for

VERDICT_WORDS = {
    Verdict.IDENTITY_UNCONFIRMED.value: "a license matches the name only loosely: not confirmed to be this person",
    Verdict.POSSIBLE_EXCLUSION.value: "the same name is on the OIG exclusion list: not yet told apart",
    Verdict.CONFLICTING_SOURCES.value: "public sources disagree about the license",
    Verdict.EXPIRED.value: "license expired",
    Verdict.INACTIVE.value: "license inactive",
    Verdict.SUSPENDED_OR_REVOKED.value: "license suspended, revoked or surrendered",
    Verdict.EXCLUDED.value: "on the OIG exclusion list",
    Verdict.WRONG_LICENSE_CLASS.value: "holds a different license class than the site claims",
    Verdict.IN_PERSON_NOT_COVERED.value: "in person claimed, but only a virtual-only authority was found",
    Verdict.NOT_FOUND.value: "no license record found",
    Verdict.AMBIGUOUS.value: "several people of that name: could not tell which record is theirs",
    Verdict.SOURCE_UNAVAILABLE.value: "the board source is unavailable or stale",
    Verdict.NOT_CHECKABLE.value: "no source can check this state",
}
_MODE_WORDS = {ServiceMode.IN_PERSON.value: "in person", ServiceMode.VIRTUAL.value: "virtual"}


@dataclass
class StateSummary:
    state: str
    state_name: str
    in_person_claimed: bool | None
    virtual_claimed: bool | None
    in_person: list[str] = field(default_factory=list)  # clinicians who may serve a client there in person
    virtual: list[str] = field(default_factory=list)
    prescribers: list[str] = field(default_factory=list)
    discrepancies: list[str] = field(default_factory=list)


def _display(clinician: Clinician) -> str:
    return clinician.name.split(",")[0].strip() or clinician.name


def _virtual_alternatives(state: str, on: date, classes: frozenset[str]) -> str:
    """'a Florida license or a telehealth registration': the rules that could apply to these clinicians."""
    names = {
        "compact_privilege": "a Counseling Compact privilege",
        "psypact_authority": "PSYPACT authority",
        "telehealth_registration": "a telehealth registration",
        "license": "a multistate (NLC) nursing license",
    }
    extra = sorted({
        names.get(a.record_kind.value, a.name)
        for a in authorities()
        if ServiceMode.VIRTUAL in a.modes and a.issues_in(state, on) and (not classes or a.license_classes & classes)
    })
    options = [f"a {state_name(state)} license", *extra]
    return options[0] if len(options) == 1 else ", ".join(options[:-1]) + " or " + options[-1]


def practice_summary(session: Session, practice_id: int, *, on: date | None = None) -> list[StateSummary]:
    """For each state the practice claims: who may serve it, who prescribes, and the discrepancies."""
    areas = session.exec(
        select(ServiceArea).where(ServiceArea.practice_id == practice_id).order_by(ServiceArea.state)
    ).all()
    clinicians = {
        c.id: c
        for c in session.exec(
            select(Clinician).where(Clinician.practice_id == practice_id, Clinician.gone_at.is_(None))  # type: ignore
        )
    }
    rows = session.exec(
        select(Verification).where(Verification.practice_id == practice_id, Verification.claim_kind != "credential")
    ).all()
    credentials = session.exec(
        select(CredentialClaim).where(CredentialClaim.clinician_id.in_(list(clinicians)))  # type: ignore
    ).all()
    return summarise(list(areas), clinicians, list(rows), claimed_classes(list(credentials)), on or date.today())


def summarise(areas: list[ServiceArea], clinicians: dict[int, Clinician], rows: list[Verification],
              classes: frozenset[str], on: date) -> list[StateSummary]:
    """The summary of one practice from its rows (pure: no queries)."""
    verdicts: dict[tuple[str, str], list[Verification]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r.claim_key):
        if row.clinician_id in clinicians and row.state and row.mode and row.claim_kind != "credential":
            verdicts[(row.state, row.mode)].append(row)
    has_prescribers = any(mode == ServiceMode.PRESCRIBING.value for _, mode in verdicts)
    summaries = []
    for area in areas:
        summary = StateSummary(area.state, state_name(area.state), area.in_person, area.virtual)
        place = summary.state_name
        for mode, claimed, names in (
            (ServiceMode.IN_PERSON.value, area.in_person, summary.in_person),
            (ServiceMode.VIRTUAL.value, area.virtual, summary.virtual),
            (ServiceMode.PRESCRIBING.value, True, summary.prescribers),
        ):
            rows = sorted(verdicts.get((area.state, mode), []), key=lambda r: _display(clinicians[r.clinician_id]))
            names += [_display(clinicians[r.clinician_id]) for r in rows if Verdict(r.verdict).is_pass]
            if not claimed or names:
                continue
            if mode == ServiceMode.PRESCRIBING.value:
                if has_prescribers and (area.in_person or area.virtual):
                    summary.discrepancies.append(
                        f"The site serves {place}, but no prescriber on it holds a license to prescribe in {place}."
                    )
                continue
            # Unverified, or a warning that is not a pass (a loose name match, a namesake on the exclusion list).
            unverified = sorted({r.verdict for r in rows if badge_for(r.verdict) is Badge.UNVERIFIED
                                 or (badge_for(r.verdict) is Badge.WARNING and not Verdict(r.verdict).is_pass)})
            lead = f"The site lists {place} ({_MODE_WORDS[mode]})."
            if unverified:
                words = "; ".join(VERDICT_WORDS[v] for v in unverified)
                summary.discrepancies.append(f"{lead} No clinician could be verified there ({words}).")
            elif mode == ServiceMode.IN_PERSON.value:
                summary.discrepancies.append(f"{lead} No clinician holds an active {place} license.")
            else:
                options = _virtual_alternatives(area.state, on, classes)
                summary.discrepancies.append(f"{lead} No clinician holds {options}.")
        for mode in (ServiceMode.IN_PERSON.value, ServiceMode.VIRTUAL.value, ServiceMode.PRESCRIBING.value):
            for row in verdicts.get((area.state, mode), []):
                if badge_for(row.verdict) is Badge.PROBLEM and row.verdict != Verdict.NOT_FOUND.value:
                    who = _display(clinicians[row.clinician_id])
                    how = _MODE_WORDS.get(mode, "prescribing")
                    summary.discrepancies.append(f"{who} ({place}, {how}): {VERDICT_WORDS[row.verdict]}.")
        summary.discrepancies = sorted(set(summary.discrepancies), key=summary.discrepancies.index)
        summaries.append(summary)
    return summaries


def store_discrepancies(session: Session, *, now: datetime, practice_ids: set[int] | None = None) -> int:
    """Rewrite each current practice's stored discrepancies when they changed; returns how many changed.
    ``practice_ids``: only these (and practices gone since), when the caller knows the others cannot change.

    Everything is read in bulk and grouped in memory (one pass, a handful of queries)."""
    scope = practice_ids
    # A few practices are read by id; many, or all, in one pass.
    by_id = scope is not None and len(scope) <= 2000

    def within(column):
        return column.in_(sorted(scope)) if by_id else true()

    live = set(session.exec(select(Practice.id).where(Practice.gone_at.is_(None))))  # type: ignore
    areas: dict[int, list[ServiceArea]] = defaultdict(list)
    for area in session.exec(select(ServiceArea).where(within(ServiceArea.practice_id)).order_by(ServiceArea.state)):
        areas[area.practice_id].append(area)
    clinicians: dict[int, dict[int, Clinician]] = defaultdict(dict)
    for clinician in session.exec(select(Clinician).where(
            Clinician.gone_at.is_(None), within(Clinician.practice_id))):  # type: ignore
        clinicians[clinician.practice_id][clinician.id] = clinician
    credentials: dict[int, list[CredentialClaim]] = defaultdict(list)
    staff = sorted(cid for group in clinicians.values() for cid in group)
    claims = select(CredentialClaim).where(CredentialClaim.clinician_id.in_(staff)) if by_id else (  # type: ignore
        select(CredentialClaim))
    for claim in session.exec(claims):
        credentials[claim.clinician_id].append(claim)
    rows: dict[int, list[Verification]] = defaultdict(list)
    table = Verification.__table__
    for row in session.execute(select(table).where(table.c.claim_kind != "credential",
                                                   within(table.c.practice_id))):  # light rows
        rows[row.practice_id].append(row)
    stored: dict[int, list[tuple[str | None, str]]] = defaultdict(list)
    gone = set(session.exec(select(Discrepancy.practice_id).distinct())) - live  # type: ignore
    for row in session.exec(select(Discrepancy).where(within(Discrepancy.practice_id) | Discrepancy.practice_id.in_(
            sorted(gone))).order_by(Discrepancy.id)):  # type: ignore
        stored[row.practice_id].append((row.state, row.text))
    todo = live | set(stored)
    if scope is not None:
        todo &= scope | gone
    changed: list[int] = []
    new_rows: list[dict] = []
    for practice_id in sorted(todo):
        people = clinicians[practice_id]
        classes = claimed_classes([c for cid in people for c in credentials[cid]])
        summary = summarise(areas[practice_id], people, rows[practice_id], classes, now.date()) \
            if practice_id in live else []
        lines = [(s.state, text) for s in summary for text in s.discrepancies]
        if lines != stored.get(practice_id, []):
            changed.append(practice_id)
            new_rows += [{"practice_id": practice_id, "state": state, "text": text, "found_at": now}
                         for state, text in lines]
    table = Discrepancy.__table__
    for start in range(0, len(changed), 500):
        session.execute(delete(table).where(table.c.practice_id.in_(changed[start:start + 500])))
    if new_rows:
        session.execute(insert(table), new_rows)
    return len(changed)


def stored_discrepancies(session: Session, practice_id: int) -> list[str]:
    """Verification's discrepancies for one practice, as last stored (for the dashboard and the export)."""
    rows = session.exec(select(Discrepancy).where(Discrepancy.practice_id == practice_id).order_by(Discrepancy.id))
    return [row.text for row in rows]
