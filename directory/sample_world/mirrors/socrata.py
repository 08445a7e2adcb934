"""Socrata mirrors (CT ngch-56tr, WA qxh8-f4bd, IL pzzh-kp68, CO 7s5z-vewr) in the layouts of the real-format
fixtures (tests/boards/fixtures/, evidence in docs/sources.md): column names, status words, date formats (floating
timestamps in CT and CO; text MM/DD/YYYY in WA and IL), CT's ``active`` flag, WA's superseded twin rows, IL's board
``license_type`` beside the license ``description``, one row per discipline case in Colorado, null cells left out of
a row (as SODA does), SoQL paging, ``/api/views/{id}`` metadata with ``rowsUpdatedAt``, and HTTP 429 through the
fault switch."""

import json
from datetime import date, timedelta

from directory.sample_world.mirrors.core import EDITION, Mirror, Request, Response, text
from directory.sample_world.mirrors.data import Entry
from directory.sample_world.mirrors.soql import SoqlError, query

ROWS_UPDATED_AT = int((EDITION + timedelta(hours=1)).timestamp())
SHRUNK_UPDATED_AT = ROWS_UPDATED_AT + 86400  # a cut-down roster is a newer edition


def floating(value: date | None) -> str | None:
    return f"{value.isoformat()}T00:00:00.000" if value else None


def us_date(value: date | None) -> str | None:
    return value.strftime("%m/%d/%Y") if value else None


def present(row: dict) -> dict:
    """SODA leaves null and empty cells out of a JSON row."""
    return {key: value for key, value in row.items() if value not in (None, "")}


# CT's `active` flag: 1 for every status the board counts as current, which includes LAPSED and RETIRED.
CT_ACTIVE_FLAG = {"ACTIVE", "ACTIVE IN RENEWAL", "ACTIVE UNDER REVIEW", "APPROVED", "LAPSED", "RETIRED"}


def ct_rows(entries: list[Entry]) -> list[dict]:
    rows = []
    for index, entry in enumerate(entries):
        record = entry.record
        number = record.number
        # An INACTIVE row's reason: a lapse where the world says the license expired, else none given.
        lapsed = record.status_raw.upper() == "INACTIVE" and record.status == "expired"
        rows.append({
            "credentialid": str(100000 + index), "name": " ".join(
                p for p in (entry.given, entry.middle, entry.family, entry.suffix) if p).upper(),
            "type": "INDIVIDUAL", "businessname": "", "dba": "",
            "fullcredentialcode": number, "credentialnumber": number.rsplit(".", 1)[-1],
            "credentialtype": "LICENSE", "credential": record.title, "status": record.status_raw,
            "statusreason": "LAPSED DUE TO NON-RENEWAL" if lapsed else "",
            "issuedate": floating(record.issued), "effectivedate": floating(record.issued),
            "expirationdate": floating(record.expires), "address": "", "city": (entry.city or "").upper(),
            "state": "CT", "zip": "", "recordrefreshedon": floating(EDITION.date()),
            "active": "1" if record.status_raw.upper() in CT_ACTIVE_FLAG else "0",
        })
    # CT's dataset also holds businesses (liquor permits and the like): the adapter filters type='INDIVIDUAL'.
    rows.append({"credentialid": "9000001", "name": "", "type": "BUSINESS", "businessname": "HARBOR WINE & SPIRITS",
                 "dba": "", "fullcredentialcode": "LIP.0009999", "credentialnumber": "0009999",
                 "credentialtype": "PERMIT", "credential": "PACKAGE STORE LIQUOR", "status": "ACTIVE",
                 "statusreason": "", "issuedate": "2019-05-01T00:00:00.000", "effectivedate": None,
                 "expirationdate": "2027-05-01T00:00:00.000", "address": "1 MAIN ST", "city": "HARTFORD",
                 "state": "CT", "zip": "06103", "recordrefreshedon": floating(EDITION.date()), "active": "1"})
    return [present(row) for row in rows]


def wa_rows(entries: list[Entry]) -> list[dict]:
    """Text MM/DD/YYYY dates. Every sample-world credential in force also has a ``Superseded`` twin row (same
    number, an older edition) listed after the live row, as a re-issued WA credential does."""
    rows = []
    for entry in entries:
        record = entry.record
        row = {
            "credentialnumber": record.number, "lastname": entry.family.upper(), "firstname": entry.given.upper(),
            "middlename": entry.middle.upper(), "credentialtype": record.title, "status": record.status_raw,
            "birthyear": "1975", "firstissuedate": us_date(record.issued), "lastissuedate": us_date(record.issued),
            "expirationdate": us_date(record.expires), "actiontaken": record.discipline or "",
        }
        rows.append(present(row))
        if not entry.filler and record.status in {"active", "probation"} and record.expires:
            old = record.expires - timedelta(days=730)
            rows.append(present({**row, "status": "Superseded", "lastissuedate": us_date(old - timedelta(days=730)),
                                 "expirationdate": us_date(old), "actiontaken": ""}))
    return rows


# The board (`license_type`) for each license `description` the sample world uses (IL's LPC is the provisional
# counselor tier, LCPC the independent one; NURSING BOARD holds RNs, LPNs and midwives).
IL_BOARDS = {
    "LICENSED CLINICAL PSYCHOLOGIST": "CLIN PSYCHOLOGIST", "LICENSED CLINICAL SOCIAL WORKER": "SOCIAL WORKER",
    "LICENSED SOCIAL WORKER": "SOCIAL WORKER", "LICENSED MARRIAGE AND FAMILY THERAPIST": "MAR AND FAM THERAPIST",
    "PHYSICIAN AND SURGEON": "MEDICAL BOARD", "ADVANCED PRACTICE REGISTERED NURSE": "ADV PRACTICE NURSE",
    "PHYSICIAN ASSISTANT": "PHYSICIAN ASSISTANT", "LICENSED CLINICAL PROFESSIONAL COUNSELOR": "PROF. COUNSELOR",
    "LICENSED PROFESSIONAL COUNSELOR": "PROF. COUNSELOR", "REGISTERED NURSE": "NURSING BOARD",
    "LICENSED PRACTICAL NURSE": "NURSING BOARD", "CERTIFIED PROFESSIONAL MIDWIFE": "NURSING BOARD",
}


def il_rows(entries: list[Entry]) -> list[dict]:
    rows = []
    for entry in entries:
        record = entry.record
        rows.append(present({
            "license_type": IL_BOARDS.get(record.title.upper(), record.title), "description": record.title,
            "license_number": record.number, "license_status": record.status_raw, "business": "N", "title": "",
            "first_name": entry.given.upper(), "middle": entry.middle.upper(), "last_name": entry.family.upper(),
            "prefix": "", "suffix": entry.suffix.upper(), "business_name": "", "businessdba": "",
            "original_issue_date": us_date(record.issued), "effective_date": us_date(record.issued),
            "expiration_date": us_date(record.expires), "city": (entry.city or "CHICAGO").upper(), "state": "IL",
            "zip": "60601", "county": "COOK", "specialty_qualifier": "",
            "ever_disciplined": "Y" if record.discipline else "N",
            "discipline_start_date": us_date(record.issued) if record.discipline else "",
            "action": "PROBATION" if record.discipline else "", "discipline_reason": record.discipline or "",
        }))
    return rows


def co_rows(entries: list[Entry]) -> list[dict]:
    """One row per discipline case: a record with 'case one; case two' appears twice."""
    rows = []
    for entry in entries:
        record = entry.record
        cases = [c.strip() for c in (record.discipline or "").split(";") if c.strip()] or [""]
        for number, case in enumerate(cases, start=1):
            rows.append(present({
                "lastname": entry.family, "firstname": entry.given, "middlename": entry.middle, "suffix": entry.suffix,
                "entityname": "", "city": entry.city or "Denver", "state": "CO", "mailzipcode": "80202",
                "licensetype": record.title, "subcategory": "", "licensenumber": record.number,
                "licensefirstissuedate": floating(record.issued), "licenseexpirationdate": floating(record.expires),
                "licensestatusdescription": record.status_raw, "specialty": "",
                "linktoverifylicense": {"url": f"https://apps2.colorado.gov/dora/licensing/Lookup/LicenseLookup.aspx?"
                                               f"License={record.title}.{record.number}"},
                "programaction": case, "disciplineeffectivedate": floating(record.issued) if case else None,
                "casenumber": f"2025-{number:04d}-{record.number}" if case else "",
            }))
    return rows


LAYOUTS = {"ct_socrata": ("ngch-56tr", ct_rows), "wa_socrata": ("qxh8-f4bd", wa_rows),
           "il_socrata": ("pzzh-kp68", il_rows), "co_socrata": ("7s5z-vewr", co_rows)}


class SocrataMirror(Mirror):
    def __init__(self, source: str, entries: list[Entry], filler: list[Entry]):
        super().__init__()
        self.source = source
        self.dataset, render = LAYOUTS[source]
        self.full = [{**row, ":id": i} for i, row in enumerate(render(entries + filler))]
        self.cut = [{**row, ":id": i} for i, row in enumerate(render(entries))]
        self.app_tokens: list[str | None] = []

    def handle(self, request: Request) -> Response:
        if request.path == f"/api/views/{self.dataset}":
            stamp = SHRUNK_UPDATED_AT if self.shrunk else ROWS_UPDATED_AT
            meta = {"id": self.dataset, "name": self.source, "rowsUpdatedAt": stamp, "viewLastModified": stamp}
            return text(json.dumps(meta), "application/json")
        if request.path in (f"/resource/{self.dataset}.json", f"/resource/{self.dataset}"):
            self.app_tokens.append(request.headers.get("x-app-token"))
            try:
                rows = query(self.cut if self.shrunk else self.full, request.query)
            except SoqlError as exc:
                body = {"code": "query.compiler.malformed", "error": True, "message": str(exc)}
                return text(json.dumps(body), "application/json", status=400)
            return text(json.dumps(rows), "application/json")
        return text(json.dumps({"code": "not_found", "error": True, "message": "Not found"}), "application/json", 404)
