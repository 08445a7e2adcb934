"""``kapdir export --format json|csv|fhir [--out FILE]``: practices, clinicians and verdicts with evidence.

- json: one object {"practices": [...]} (shape documented in issue 5; extra keys are additive);
- csv: one row per verdict (service, prescribing and credential claims);
- fhir: an HL7 FHIR R4 Bundle of type "collection": one Practitioner per clinician and one VerificationResult
  per verdict (status, statusDate, target, primarySource, validationType, validationProcess, attestation).

``--as-of DATE`` exports the verdicts as they stood then, read from the append-only verdict history: for each
claim its latest history entry recorded by then, unless that entry retired it. Practices and clinicians are the
ones those verdicts belong to (with today's names); a clinician's credentials are the codes of their credential
verdicts at the time (degrees carry no verdict, so they are not listed), and discrepancies are null (they are
not kept per date). A re-check that changed nothing is not a new history entry, so ``checked_at`` there is when
that verdict was first reached.
"""

import csv
import io
import json
import os
import sys
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from directory.db import open_database, session_scope
from directory.errors import KapdirError
from directory.models import Clinician, CredentialClaim, Practice, ServiceArea, VerdictHistory, Verification
from directory.safetext import spreadsheet_cell
from directory.settings import get_settings
from directory.timeutil import utcnow
from directory.verification.health import last_good_sync
from directory.verification.summary import stored_discrepancies
from directory.vocab import Verdict, badge_for, verdict_label

FORMATS = ("json", "csv", "fhir")
# "source_as_of": the record's own date; "source_checked_as_of": its source's latest good sync (verification/health.py)
EVIDENCE_KEYS = ("source", "record_id", "license_number", "raw_status", "expires", "source_as_of",
                 "source_checked_as_of")
CSV_COLUMNS = (
    "practice", "website", "clinician", "credentials", "claim_kind", "state", "mode", "credential_code",
    "verdict", "badge", "label", "basis", "confidence", "source", "record_id", "license_number", "raw_status",
    "expires", "source_as_of", "source_checked_as_of", "source_url", "checked_at", "expires_at",
)
_VERDICTS = {verdict.value for verdict in Verdict}
_MODE_ORDER = {"in_person": 0, "virtual": 1, "prescribing": 2}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _evidence(row: Verification, checked: dict[str, datetime]) -> dict[str, Any] | None:
    """The verdict's evidence with every key, and when its source was last checked (``checked``: none for a past
    date's export)."""
    if not row.evidence:
        return None
    evidence = dict(row.evidence)
    if evidence.get("source") in checked:
        evidence["source_checked_as_of"] = f"{checked[evidence['source']]:%Y-%m-%d}"
    for key in EVIDENCE_KEYS:
        evidence.setdefault(key, None)
    return evidence


def _badge(verdict: str) -> str:
    return badge_for(verdict).value


def parse_as_of(text: str) -> datetime:
    """'2026-11-23' is the end of that day (UTC); '2026-11-23T08:00:00' that instant (naive UTC, as stored)."""
    try:
        if len(text.strip()) == 10:
            return datetime.combine(date.fromisoformat(text.strip()), time.max)
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise KapdirError(f"--as-of {text!r} is not a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM:SS)") from None
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when


def verdicts_as_of(session: Session, when: datetime) -> list[VerdictHistory]:
    """Each claim's verdict as it stood at ``when``: its latest history entry by then, unless that retired it."""
    latest = (
        select(VerdictHistory.claim_key, func.max(VerdictHistory.id).label("id"))
        .where(VerdictHistory.recorded_at <= when)
        .group_by(VerdictHistory.claim_key)
        .subquery()
    )
    rows = session.exec(select(VerdictHistory).join(latest, latest.c.id == VerdictHistory.id))
    return [row for row in rows if row.event != "retired"]


def _sort_verdicts(rows: list) -> list:
    return sorted(rows, key=lambda r: (r.claim_kind == "credential", r.state or "", _MODE_ORDER.get(r.mode or "", 3),
                                       r.credential_code or ""))


Listing = Iterator[tuple[Practice, list[ServiceArea] | None, list[tuple[Clinician, list[str], list]]]]


def _listing(session: Session, as_of: datetime | None = None) -> Listing:
    """Every current practice with its areas, clinicians, credential codes and verdicts (few queries); with
    ``as_of``, the practices and clinicians that had verdicts then, with those verdicts (areas are None)."""
    if as_of is not None:
        yield from _listing_as_of(session, as_of)
        return
    areas: dict[int, list[ServiceArea]] = defaultdict(list)
    for area in session.exec(select(ServiceArea).order_by(ServiceArea.state)):
        areas[area.practice_id].append(area)
    codes: dict[int, list[str]] = defaultdict(list)
    for claim in session.exec(select(CredentialClaim).order_by(CredentialClaim.id)):
        if claim.code not in codes[claim.clinician_id]:
            codes[claim.clinician_id].append(claim.code)
    verdicts: dict[int, list[Verification]] = defaultdict(list)
    for row in session.exec(select(Verification)):
        verdicts[row.clinician_id].append(row)
    clinicians: dict[int, list[Clinician]] = defaultdict(list)
    query = select(Clinician).where(Clinician.gone_at.is_(None)).order_by(Clinician.name)  # type: ignore
    for clinician in session.exec(query):
        clinicians[clinician.practice_id].append(clinician)
    practices = session.exec(
        select(Practice).where(Practice.gone_at.is_(None)).order_by(Practice.name, Practice.key)  # type: ignore
    )
    for practice in practices:
        people = [(c, codes[c.id], _sort_verdicts(verdicts[c.id])) for c in clinicians[practice.id]]
        yield practice, areas[practice.id], people


def _listing_as_of(session: Session, as_of: datetime) -> Listing:
    verdicts: dict[int, list[VerdictHistory]] = defaultdict(list)
    for row in verdicts_as_of(session, as_of):
        verdicts[row.clinician_id].append(row)
    clinicians: dict[int, list[Clinician]] = defaultdict(list)
    for start in range(0, len(ids := sorted(verdicts)), 2000):
        for clinician in session.exec(select(Clinician).where(Clinician.id.in_(ids[start:start + 2000]))):  # type: ignore
            clinicians[clinician.practice_id].append(clinician)
    practices: list[Practice] = []
    for start in range(0, len(ids := sorted(clinicians)), 2000):
        practices += session.exec(select(Practice).where(Practice.id.in_(ids[start:start + 2000])))  # type: ignore
    practices.sort(key=lambda p: (p.name or "", p.key))  # the order of the current export
    for practice in practices:
        people = []
        for clinician in sorted(clinicians[practice.id], key=lambda c: c.name):
            rows = _sort_verdicts(verdicts[clinician.id])
            codes = list(dict.fromkeys(r.credential_code for r in rows if r.claim_kind == "credential"))
            people.append((clinician, codes, rows))
        yield practice, None, people


def _states_of(people: list) -> list[dict[str, Any]]:
    """Served states as the service verdicts show them (for an as-of export, where areas are not kept)."""
    states: dict[str, dict[str, Any]] = {}
    for _clinician, _codes, rows in people:
        for row in rows:
            if row.claim_kind == "service" and row.state and row.mode in ("in_person", "virtual"):
                entry = states.setdefault(row.state, {"state": row.state, "in_person": None, "virtual": None})
                entry[row.mode] = True
    return [states[state] for state in sorted(states)]


def export_json(engine: Engine, as_of: datetime | None = None) -> dict:
    """{"practices": [{name, website, states, clinicians[{name, credentials, verdicts}], discrepancies}]}
    (plus "as_of" when exporting a past date)."""
    practices = []
    with session_scope(engine) as session:
        checked = {} if as_of else last_good_sync(session)
        for practice, areas, people in _listing(session, as_of):
            clinicians = []
            for clinician, codes, rows in people:
                clinicians.append({
                    "name": clinician.name,
                    "role": clinician.role,
                    "npi": clinician.npi,
                    "credentials": codes,
                    "verdicts": [
                        {
                            "state": row.state,
                            "mode": row.mode,
                            "verdict": row.verdict,
                            "badge": _badge(row.verdict),
                            "label": verdict_label(row.verdict),
                            "basis": row.basis,
                            "confidence": row.confidence,
                            "evidence": _evidence(row, checked),
                            "checked_at": _iso(row.checked_at),
                            "expires_at": _iso(row.expires_at),
                        }
                        for row in rows
                        if row.claim_kind != "credential"
                    ],
                    "credential_checks": [
                        {"code": row.credential_code, "state": row.state, "status": row.verdict,
                         "badge": _badge(row.verdict), "label": verdict_label(row.verdict), "basis": row.basis,
                         "evidence": _evidence(row, checked), "checked_at": _iso(row.checked_at)}
                        for row in rows
                        if row.claim_kind == "credential"
                    ],
                })
            discrepancies = None if as_of else (
                list(practice.discrepancies or []) + stored_discrepancies(session, practice.id))
            states = _states_of(people) if areas is None else [
                {"state": a.state, "in_person": a.in_person, "virtual": a.virtual} for a in areas]
            practices.append({
                "name": practice.name,
                "key": practice.key,
                "website": practice.website,
                "states": states,
                "clinicians": clinicians,
                "discrepancies": discrepancies,
            })
    if as_of is not None:
        return {"as_of": _iso(as_of), "practices": practices}
    return {"practices": practices}


def export_csv(engine: Engine, as_of: datetime | None = None) -> str:
    """One row per verdict (CSV_COLUMNS)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    with session_scope(engine) as session:
        checked = {} if as_of else last_good_sync(session)
        for practice, _areas, people in _listing(session, as_of):
            for clinician, codes, rows in people:
                for row in rows:
                    evidence = _evidence(row, checked) or {}
                    writer.writerow({key: spreadsheet_cell(value) for key, value in {
                        "practice": practice.name, "website": practice.website, "clinician": clinician.name,
                        "credentials": " ".join(codes), "claim_kind": row.claim_kind, "state": row.state,
                        "mode": row.mode, "credential_code": row.credential_code, "verdict": row.verdict,
                        "badge": _badge(row.verdict), "label": verdict_label(row.verdict), "basis": row.basis,
                        "confidence": row.confidence,
                        **{key: evidence.get(key) for key in (*EVIDENCE_KEYS, "source_url")},
                        "checked_at": _iso(row.checked_at), "expires_at": _iso(row.expires_at),
                    }.items()})
    return buffer.getvalue()


# --- FHIR R4 ------------------------------------------------------------------------------------

_TERMINOLOGY = "http://terminology.hl7.org/CodeSystem"
_FAILED = {
    Verdict.EXPIRED.value, Verdict.INACTIVE.value, Verdict.SUSPENDED_OR_REVOKED.value, Verdict.EXCLUDED.value,
    Verdict.WRONG_LICENSE_CLASS.value, Verdict.IN_PERSON_NOT_COVERED.value, Verdict.NOT_FOUND.value,
}


_SOURCE_TYPES = {  # evidence record kind -> primary-source-type code
    "license": ("lic-board", "License Board"),
    "compact_privilege": ("issuer", "Issuing source"),
    "psypact_authority": ("issuer", "Issuing source"),
    "telehealth_registration": ("reg-auth", "Registration Authority"),
    "exclusion": ("auth-source", "Authoritative source"),
}


def _fhir_time(value: datetime | None) -> str | None:
    """FHIR dateTime with a time needs a zone: stored timestamps are naive UTC."""
    return value.isoformat(timespec="seconds") + "Z" if value else None


def _fhir_status(verdict: str) -> str:
    """VerificationResult.status: attested | validated | in-process | req-revalid | val-fail | reval-fail."""
    if verdict in _VERDICTS and Verdict(verdict).is_pass:
        return "validated"
    if verdict in _FAILED:
        return "val-fail"
    if verdict == Verdict.SOURCE_UNAVAILABLE.value:
        return "req-revalid"
    if verdict in {Verdict.CLAIMED, Verdict.NOT_PUBLICLY_VERIFIABLE, Verdict.NOT_CHECKABLE}:
        return "attested"  # only the practice's own statement stands behind it
    return "in-process"  # ambiguous: needs a human to tell the records apart


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": f"{_TERMINOLOGY}/{system}", "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def _verification_result(row: Verification, practitioner_ref: str, clinician: Clinician, practice: Practice,
                         extension_base: str, checked: dict[str, datetime]) -> dict[str, Any]:
    status = _fhir_status(row.verdict)
    evidence = _evidence(row, checked)
    resource: dict[str, Any] = {
        "resourceType": "VerificationResult",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"kapdir:verification:{row.claim_key}")),
        "extension": [
            {"url": f"{extension_base}/verdict", "valueCode": row.verdict},
            {"url": f"{extension_base}/verdict-label", "valueString": verdict_label(row.verdict)},
            {"url": f"{extension_base}/basis", "valueString": row.basis},
        ],
        "target": [{"reference": practitioner_ref, "display": clinician.name}],
        "need": _coding("need", "periodic", "Periodic"),
        "status": status,
        "statusDate": _fhir_time(row.checked_at),
        "validationType": _coding("validation-type", "primary" if evidence else "nothing",
                                  "Primary Source" if evidence else "Nothing"),
        "validationProcess": [_coding("validation-process", "primary" if evidence else "in-context",
                                      "Primary Source" if evidence else "In context")],
        "lastPerformed": _fhir_time(row.checked_at),
        "nextScheduled": row.expires_at.date().isoformat() if row.expires_at else None,
        "failureAction": _coding("failure-action", "warn" if status == "val-fail" else "rec-only"),
    }
    if evidence:
        code, display = _SOURCE_TYPES.get(evidence.get("kind") or "license", _SOURCE_TYPES["license"])
        resource["primarySource"] = [{
            "who": {"display": evidence["source"]},
            "type": [_coding("primary-source-type", code, display)],
            "communicationMethod": [_coding("verificationresult-communication-method", "pull", "Pull")],
            "validationStatus": _coding("validation-status", "successful" if status == "validated" else "failed"),
            "validationDate": _fhir_time(row.checked_at),
        }]
    else:
        # What stands behind the claim is the practice's own website.
        resource["attestation"] = {
            "who": {"display": practice.website or practice.key},
            "onBehalfOf": {"reference": practitioner_ref, "display": clinician.name},
            "communicationMethod": _coding("verificationresult-communication-method", "push", "Push"),
            "date": row.checked_at.date().isoformat() if row.checked_at else None,
        }
    return {key: value for key, value in resource.items() if value not in (None, [])}


def export_fhir(engine: Engine, as_of: datetime | None = None) -> dict:
    extension_base = get_settings().contact_url.split("#")[0].rstrip("/") + "/fhir/StructureDefinition"
    entries: list[dict[str, Any]] = []
    with session_scope(engine) as session:
        checked = {} if as_of else last_good_sync(session)
        for practice, _areas, people in _listing(session, as_of):
            for clinician, codes, rows in people:
                stable = f"kapdir:clinician:{practice.key}/{clinician.key}"
                practitioner_id = str(uuid.uuid5(uuid.NAMESPACE_URL, stable))
                practitioner_ref = f"urn:uuid:{practitioner_id}"
                practitioner: dict[str, Any] = {
                    "resourceType": "Practitioner",
                    "id": practitioner_id,
                    "name": [{"text": clinician.name, "family": clinician.family_name,
                              "given": [g for g in (clinician.given_name, clinician.middle_name) if g]}],
                    "qualification": [{"code": {"text": code}} for code in codes],
                }
                if clinician.npi:
                    practitioner["identifier"] = [{"system": "http://hl7.org/fhir/sid/us-npi", "value": clinician.npi}]
                entries.append({"fullUrl": practitioner_ref, "resource": practitioner})
                for row in rows:
                    resource = _verification_result(row, practitioner_ref, clinician, practice, extension_base,
                                                    checked)
                    entries.append({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource})
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        # A past date's bundle is stamped with that date: it is the record as it stood then.
        "timestamp": _fhir_time((as_of or utcnow()).replace(microsecond=0)),
        "entry": entries,
    }


def render(engine: Engine, fmt: str, as_of: datetime | None = None) -> str:
    if fmt == "json":
        return json.dumps(export_json(engine, as_of), indent=2) + "\n"
    if fmt == "csv":
        return export_csv(engine, as_of)
    if fmt == "fhir":
        return json.dumps(export_fhir(engine, as_of), indent=2) + "\n"
    raise KapdirError(f"unknown export format {fmt!r} (use one of: {', '.join(FORMATS)})")


def export_command(fmt: str = "json", out: Path | None = None, db: Path | None = None,
                   as_of: str | None = None) -> None:
    if fmt not in FORMATS:
        raise KapdirError(f"unknown export format {fmt!r} (use one of: {', '.join(FORMATS)})")
    when = parse_as_of(as_of) if as_of is not None else None
    text = render(open_database(db, create=False), fmt, when)
    if out is None:
        sys.stdout.write(text)
        return
    write_export(Path(out), text)


# The first bytes of an SQLite database and of its write-ahead log (sqlite.org/fileformat.html, 1.3 and 4.1).
_DATABASE_MAGIC = (b"SQLite format 3\x00", b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")


def write_export(out: Path, text: str) -> None:
    """Write ``text`` to ``out`` whole or not at all, and never over a database: ``--out kapdir.db`` used to
    truncate the directory itself. A temporary file beside ``out`` is renamed over it once fully written, so a
    failure (disk full, interrupted) leaves the previous file as it was."""
    try:
        with out.open("rb") as existing:
            head = existing.read(16)
    except FileNotFoundError:
        head = b""
    except OSError as exc:
        raise KapdirError(f"cannot write {out}: {exc.strerror or exc}") from None
    if head.startswith(_DATABASE_MAGIC):
        raise KapdirError(f"{out} is a database: refusing to overwrite it with an export (choose another --out)")
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise KapdirError(f"cannot write {out}: {exc.strerror or exc}") from None
