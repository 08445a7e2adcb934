"""Side-by-side comparisons and the referring therapist's vetting checklist."""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from directory.errors import KapdirError
from directory.models import (
    Clinician,
)
from directory.queries.geography import state_name
from directory.queries.labels import MODE_LABELS, offering_label, practice_badge
from directory.queries.provider import VerdictRow, practice_detail
from directory.safetext import spreadsheet_cell
from directory.timeutil import utcnow
from directory.vocab import (
    BADGE_LABELS,
    ROLE_LABELS,
    Badge,
    CredentialKind,
    Role,
    ServiceMode,
    Verdict,
)


@dataclass
class Comparison:
    columns: list[str]  # one per practice or clinician compared
    rows: list[tuple[str, list[str]]]  # aspect -> one value per column

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["aspect", *map(spreadsheet_cell, self.columns)])
        for aspect, values in self.rows:
            writer.writerow([aspect, *map(spreadsheet_cell, values)])
        return out.getvalue()


def _yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "not stated"}[value]


def _verdict_summary(rows: Iterable[VerdictRow], *, with_names: dict[int, str] | None = None) -> str:
    lines = []
    for row in rows:
        if row.claim_kind != "service" and row.mode != ServiceMode.PRESCRIBING:
            continue
        who = f"{with_names[row.clinician_id]}: " if with_names else ""
        mode = MODE_LABELS.get(row.mode, row.mode)
        lines.append(f"{who}{row.state} {mode}: {BADGE_LABELS[row.badge]} ({row.label}; checked "
                     f"{row.checked_at:%Y-%m-%d})")
    return "; ".join(lines) or "no verdicts yet"


def compare_practices(session: Session, *, practice_ids: Sequence[int]) -> Comparison:
    if not 2 <= len(practice_ids) <= 4:
        raise KapdirError("choose 2 to 4 practices to compare")
    details = [practice_detail(session, practice_id=pid) for pid in practice_ids]
    aspects: list[tuple[str, list[str]]] = []

    def add(aspect: str, values: list[str]) -> None:
        aspects.append((aspect, values))

    add("Website", [d.website or "" for d in details])
    add("In person in", [", ".join(a["state"] for a in d.service_areas if a["in_person"]) or "none stated"
                         for d in details])
    add("Virtual in", [", ".join(a["state"] for a in d.service_areas if a["virtual"]) or "none stated"
                       for d in details])
    add("Clinicians", ["; ".join(f"{c.name} ({ROLE_LABELS.get(c.role, c.role)})" for c in d.clinicians
                                  if not c.gone) for d in details])
    add("Credentials claimed", [
        "; ".join(f"{c.name}: {', '.join(cr['code'] for cr in c.credentials)}" for c in d.clinicians if c.credentials)
        for d in details
    ])
    for kind, label in (("route", "Routes"), ("setting", "Settings")):
        add(label, [", ".join(offering_label(kind, o["value"]) for o in d.offerings if o["kind"] == kind)
                    or "not stated" for d in details])
    add("Therapy included", [_yes_no(d.therapy_included) for d in details])
    add("Prices (USD)", [_price_text(d.offerings) for d in details])
    add("Prescribing partner", [d.medical_partner or ", ".join(
        o["value"] for o in d.offerings if o["kind"] == "partner") or "none stated" for d in details])
    add("Prescriber on staff", [_yes_no(any(c.role == Role.PRESCRIBER for c in d.clinicians)) for d in details])
    add("Verdicts", [
        _verdict_summary((v for c in d.clinicians for v in c.verdicts), with_names={c.id: c.name for c in d.clinicians})
        for d in details
    ])
    add("Discrepancies", ["; ".join(d.discrepancies) or "none found" for d in details])
    add("Freshness", [d.stale_note or f"crawled {d.last_crawled:%Y-%m-%d}" for d in details])
    return Comparison(columns=[d.name for d in details], rows=aspects)


def _price_text(offerings: list[dict[str, Any]]) -> str:
    prices = [o for o in offerings if o["kind"] == "price" and o["amount_usd"] is not None]
    if not prices:
        return "not stated"
    return ", ".join(f"${o['amount_usd']:,.0f}" + (f" per {o['unit']}" if o["unit"] else "") for o in prices)


@dataclass
class ChecklistItem:
    question: str
    answer: str
    badge: Badge
    evidence: str = ""


@dataclass
class Checklist:
    clinician: str
    practice: str
    role: str
    items: list[ChecklistItem]
    generated_at: datetime

    def to_text(self) -> str:
        lines = [
            f"Vetting checklist: {self.clinician} ({self.role}), {self.practice}",
            f"Generated {self.generated_at:%Y-%m-%d %H:%M} UTC by kapdir. Not medical or legal advice; "
            "confirm at the primary source before referring.",
            "",
        ]
        for item in self.items:
            lines.append(f"[{BADGE_LABELS[item.badge]}] {item.question}")
            lines.append(f"    {item.answer}")
            if item.evidence:
                lines.append(f"    Evidence: {item.evidence}")
        return "\n".join(lines) + "\n"


def vetting_checklist(session: Session, *, clinician_id: int, now: datetime | None = None) -> Checklist:
    """A one-page checklist for a referring therapist: license by state, standing, discipline, training, prescriber."""
    clinician = session.get(Clinician, clinician_id)
    if clinician is None:
        raise KapdirError(f"no clinician with id {clinician_id}")
    detail = practice_detail(session, practice_id=clinician.practice_id, now=now)
    me = next(c for c in detail.clinicians if c.id == clinician_id)
    items = []
    service = [v for v in me.verdicts if v.claim_kind == "service" and v.mode != ServiceMode.PRESCRIBING]
    for row in service:
        items.append(ChecklistItem(
            question=f"May practise {MODE_LABELS.get(row.mode, row.mode)} in {state_name(row.state)}?",
            answer=f"{row.label}. {row.basis} (last checked {row.checked_at:%Y-%m-%d})",
            badge=row.badge, evidence=_evidence_text(row),
        ))
    if not service:
        items.append(ChecklistItem("License by state", "No state authority has been checked yet.", Badge.UNVERIFIED))
    bad = [v for v in me.verdicts if v.verdict in {Verdict.EXCLUDED, Verdict.SUSPENDED_OR_REVOKED}]
    items.append(ChecklistItem(
        question="In good standing (not excluded, suspended or revoked)?",
        answer="; ".join(f"{v.label} ({v.state or 'federal'})" for v in bad) or
        ("No exclusion or suspension found in the records checked." if me.verdicts else "Not checked yet."),
        badge=Badge.PROBLEM if bad else (Badge.VERIFIED if me.verdicts else Badge.UNVERIFIED),
    ))
    disciplined = [v for v in me.verdicts if v.verdict == Verdict.VERIFIED_WITH_DISCIPLINE]
    items.append(ChecklistItem(
        question="Any board discipline on record?",
        answer="; ".join(f"{v.state}: {v.basis}" for v in disciplined) or "None recorded in the boards checked.",
        badge=Badge.WARNING if disciplined else (Badge.VERIFIED if service else Badge.UNVERIFIED),
    ))
    claimed_kinds = {CredentialKind.TRAINING, CredentialKind.NATIONAL_CERTIFICATION}
    trainings = [c for c in me.credentials if c["kind"] in claimed_kinds]
    confirmed = {v.credential_code for v in me.verdicts if v.verdict == "confirmed"}
    items.append(ChecklistItem(
        question="KAP training and certifications: claimed vs confirmed",
        answer="; ".join(f"{c['code']}: {'confirmed' if c['code'] in confirmed else 'claimed only'}"
                         for c in trainings) or "None claimed on the website.",
        badge=Badge.VERIFIED if trainings and all(c["code"] in confirmed for c in trainings) else Badge.UNVERIFIED,
        evidence="Trainings and certifications are not authority to practise.",
    ))
    prescribing = [v for v in me.verdicts if v.mode == ServiceMode.PRESCRIBING]
    if me.role == Role.PRESCRIBER or prescribing:
        items.append(ChecklistItem(
            question="May prescribe ketamine where the client is?",
            answer="; ".join(f"{v.state}: {v.label}" for v in prescribing) or "No prescribing check yet.",
            badge=practice_badge(v.verdict for v in prescribing),
            evidence="DEA registration is not publicly checkable; ask for it directly.",
        ))
    else:
        partner = detail.medical_partner or ", ".join(o["value"] for o in detail.offerings if o["kind"] == "partner")
        items.append(ChecklistItem(
            question="Who prescribes?",
            answer=f"Not a prescriber. Prescribing partner named by the practice: {partner or 'none stated'}.",
            badge=Badge.UNVERIFIED,
        ))
    return Checklist(clinician=me.name, practice=detail.name, role=ROLE_LABELS.get(me.role, me.role), items=items,
                     generated_at=now or utcnow())


def _evidence_text(row: VerdictRow) -> str:
    parts = [
        f"source {row.source_label}" if row.source_label else "",
        f"license {row.license_number}" if row.license_number else "",
        f"status '{row.raw_status}'" if row.raw_status else "",
        f"expires {row.expires}" if row.expires else "",
        f"record as of {row.source_as_of}" if row.source_as_of else "",
        f"source checked {row.source_checked}" if row.source_checked else "",
    ]
    return ", ".join(p for p in parts if p)


def compare_clinicians(session: Session, *, clinician_ids: Sequence[int]) -> Comparison:
    if not 2 <= len(clinician_ids) <= 4:
        raise KapdirError("choose 2 to 4 clinicians to compare")
    lists = [vetting_checklist(session, clinician_id=cid) for cid in clinician_ids]
    details = []
    for cid in clinician_ids:
        clinician = session.get(Clinician, cid)
        detail = practice_detail(session, practice_id=clinician.practice_id)
        details.append((detail, next(c for c in detail.clinicians if c.id == cid)))
    rows: list[tuple[str, list[str]]] = [
        ("Practice", [d.name for d, _ in details]),
        ("Role", [ROLE_LABELS.get(c.role, c.role) for _, c in details]),
        ("Credentials claimed", [", ".join(cr["code"] for cr in c.credentials) or "none" for _, c in details]),
        ("Routes", [", ".join(offering_label("route", o["value"]) for o in d.offerings if o["kind"] == "route")
                    or "not stated" for d, _ in details]),
        ("Settings", [", ".join(offering_label("setting", o["value"]) for o in d.offerings if o["kind"] == "setting")
                      or "not stated" for d, _ in details]),
        ("Therapy included", [_yes_no(d.therapy_included) for d, _ in details]),
        ("Prices (USD)", [_price_text(d.offerings) for d, _ in details]),
        ("Verdicts", [_verdict_summary(c.verdicts) for _, c in details]),
    ]
    questions = [item.question for item in lists[0].items]
    for checklist in lists[1:]:
        questions += [item.question for item in checklist.items if item.question not in questions]
    for question in questions:
        rows.append((question, [
            next((f"{BADGE_LABELS[i.badge]}: {i.answer}" for i in checklist.items if i.question == question), "n/a")
            for checklist in lists
        ]))
    return Comparison(columns=[c.name for _, c in details], rows=rows)
