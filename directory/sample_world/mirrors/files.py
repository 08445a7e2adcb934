"""File mirrors: Texas BHEC CSVs, Florida MQA PROF_ALL.zip, Maryland Board of Physicians CSVs, OIG LEIE
UPDATED.csv and generic column-mapped rosters, each with its quirks."""

import csv
import io
import zipfile
from datetime import date
from email.utils import parsedate_to_datetime

from directory.boards.files import LEIE_COLUMNS, MQA_FIELDS, MQA_MEMBER, load_mapping
from directory.boards.registry import all_sources
from directory.names import name_key, parse_name
from directory.sample_world.mirrors.core import Mirror, Request, Response, text
from directory.sample_world.mirrors.data import Entry, excluded_clinicians, filler_entries
from directory.sample_world.schema import TrueRecord, World
from directory.vocab import LicenseClass

FILLER = 40


def us_date(value: date | None) -> str:
    return value.strftime("%m/%d/%Y") if value else ""


def csv_bytes(header: list[str], rows: list[list[str]], *, quote_all: bool = False, crlf: bool = True) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
                        lineterminator="\r\n" if crlf else "\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


class FileMirror(Mirror):
    """Serves fixed files by path; ``files(shrunk)`` renders them."""

    def __init__(self, entries: list[Entry], filler: list[Entry]):
        super().__init__()
        self.entries, self.filler = entries, filler
        self._full = self.files(entries + filler)
        self._cut = self.files(entries)

    def files(self, entries: list[Entry]) -> dict[str, tuple[str, bytes]]:
        raise NotImplementedError

    def key(self, request: Request) -> str:
        return request.path

    def handle(self, request: Request) -> Response:
        files = self._cut if self.shrunk else self._full
        found = files.get(self.key(request))
        if found is None:
            return text("<html><body>404 Not Found</body></html>", status=404)
        content_type, body = found
        modified = self.shrunk_last_modified if self.shrunk else self.last_modified
        since = request.headers.get("if-modified-since")
        if since and parsedate_to_datetime(since) >= parsedate_to_datetime(modified):
            return Response(status=304, headers={"Last-Modified": modified})
        return Response(body=body, content_type=content_type, headers={"Last-Modified": modified})


BHEC_FILE = {LicenseClass.PROFESSIONAL_COUNSELOR: "LPC", LicenseClass.MARRIAGE_FAMILY_THERAPIST: "MFT",
             LicenseClass.PSYCHOLOGIST: "PSY", LicenseClass.CLINICAL_SOCIAL_WORKER: "SW",
             LicenseClass.SOCIAL_WORKER: "SW"}
BHEC_COLUMNS = ["LIC_TYPE", "RANK", "LIC_NBR", "ENTITY_NBR", "LAST_NME", "FIRST_NME", "MIDDLE_NME", "SFX_NME",
                "LIC_STATUS", "LIC_EXPR_DTE", "RANK_EFCT_DTE", "DISCPL_ACTN"]
BHEC_CURRENT = {"active", "probation", "expired", "suspended", "inactive"}  # revoked etc. are absent


class TexasMirror(FileMirror):
    def files(self, entries: list[Entry]) -> dict[str, tuple[str, bytes]]:
        rows: dict[str, list[list[str]]] = {code: [] for code in ("LPC", "MFT", "PSY", "SW")}
        for number, entry in enumerate(entries, start=1):
            record = entry.record
            if record.status not in BHEC_CURRENT:
                continue
            code = BHEC_FILE.get(LicenseClass(record.license_class), "LPC")
            rows[code].append([code, record.title, record.number, str(70000 + number), entry.family.upper(),
                               entry.given.upper(), entry.middle.upper(), entry.suffix.upper(), record.status_raw,
                               us_date(record.expires), us_date(record.issued),
                               "Yes" if record.discipline else "No"])
        return {f"/csv/{code}.csv": ("text/csv", csv_bytes(BHEC_COLUMNS, lines)) for code, lines in rows.items()}


def _mqa_header() -> list[str]:
    """Hyphenated raw header names ('License-Number', 'Last-Name', ...), as the real file writes them."""
    return ["-".join(part.capitalize() for part in field.split("_")) for field in MQA_FIELDS]


class FloridaMirror(FileMirror):
    """PROF_ALL.zip holding dbdumps/ldms/PROF_ALL.txt: '|'-delimited, unquoted, trailing '|' on every line,
    one stray '"' in a suffix, and one row with an extra '|' inside the business name."""

    def key(self, request: Request) -> str:
        if request.path == "/LicensureData" and request.query.get("handler") == "DownloadDataFile":
            return request.query.get("fileName", "")
        return request.path

    def files(self, entries: list[Entry]) -> dict[str, tuple[str, bytes]]:
        lines = ["|".join(_mqa_header()) + "|"]
        for number, entry in enumerate(entries, start=1):
            record = entry.record
            status, _, active = record.status_raw.partition("/")
            row = dict.fromkeys(MQA_FIELDS, "")
            home = record.home_state or _registrant_home(entry) if record.kind == "telehealth_registration" else "FL"
            row.update({
                "pro_cde": str(2000 + sum(map(ord, record.title)) % 900), "profession_name": record.title,
                "lic_id": str(500000 + number), "expire_date": us_date(record.expires),
                "original_date": us_date(record.issued), "license_number": record.number,
                "board_action_indicator": "Y" if record.discipline else "N", "license_status_description": status,
                "license_active_status_description": active, "last_name": entry.family.upper(),
                "first_name": entry.given.upper(), "middle_name": entry.middle.upper(),
                "name_suffix": entry.suffix.upper(), "mailing_address_city": (entry.city or "TAMPA").upper(),
                "mailing_address_state": home, "practice_location_address_city": (entry.city or "TAMPA").upper()
                if home == "FL" else "", "practice_location_address_state": "FL" if home == "FL" else "",
            })
            lines.append("|".join(row[field] for field in MQA_FIELDS) + "|")
        if len(entries) > 2:  # the quirks: a stray quote and an extra '|' inside a value
            quirky = lines[-1].split("|")
            quirky[MQA_FIELDS.index("name_suffix")] = '"DE'
            lines[-1] = "|".join(quirky)
            broken = lines[-2].split("|")
            broken[MQA_FIELDS.index("business_name")] = "SUNRISE | WELLNESS"
            lines[-2] = "|".join(broken)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MQA_MEMBER, "\r\n".join(lines) + "\r\n")
        return {"PROF_ALL.zip": ("application/zip", buffer.getvalue())}


def _registrant_home(entry: Entry) -> str:
    """A telehealth registrant's mailing state: where the license the registration rests on was issued."""
    others = [r.state for r in (entry.clinician.records if entry.clinician else [])
              if r.kind == "license" and r.state != "FL"]
    return others[0] if others else "GA"


def md_letterhead(title: str) -> list[list[str]]:
    """The letterhead rows before each MD header row (seven lines, the last blank; wording UNCONFIRMED)."""
    return [["Maryland Board of Physicians"], ["4201 Patterson Avenue"], ["Baltimore, Maryland 21215-2299"],
            ["Phone (410) 764-4777"], [f"{title} - Active and Probation"], ["Report date: 11/01/2026"], []]


def csv_with_preamble(preamble: list[list[str]], header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(preamble)
    return buffer.getvalue().encode() + csv_bytes(header, rows)


class MarylandPhysiciansMirror(FileMirror):
    """Both CSVs with the board's letterhead before the header row; Discipline is a Yes/No flag."""

    def files(self, entries: list[Entry]) -> dict[str, tuple[str, bytes]]:
        doctors, allied = [], []
        for entry in entries:
            record = entry.record
            if record.status not in {"active", "probation"}:  # both files hold Active and Probation rows only
                continue
            discipline = "Yes" if record.discipline else "No"
            if record.license_class == LicenseClass.PHYSICIAN:
                doctors.append([record.number, entry.family, entry.given, record.status_raw,
                                us_date(record.expires), discipline])
            else:
                allied.append([record.title, record.number, entry.family, entry.given, record.status_raw,
                               us_date(record.expires), discipline])
        return {
            "/forms/doctor_list_revised.csv": ("text/csv", csv_with_preamble(
                md_letterhead("Licensed Physicians"),
                ["License #", "Last Name", "First Name", "License Status", "Expiration Date", "Discipline"], doctors)),
            "/forms/allied_health_list.csv": ("text/csv", csv_with_preamble(
                md_letterhead("Allied Health Practitioners"),
                ["Profession", "License #", "Last Name", "First Name", "Status", "Expire Date", "Discipline"], allied)),
        }


GENERAL = {"physician": "PHYSICIAN (MD, DO)", "nurse_practitioner": "NURSE", "registered_nurse": "NURSE",
           "physician_assistant": "PHYSICIAN ASSISTANT"}


def leie_row(entry: Entry) -> list[str]:
    record = entry.record
    return [entry.family.upper(), entry.given.upper(), entry.middle.upper(), "",
            GENERAL.get(record.license_class, "OTHER HEALTH PROFESSIONAL"), record.title.upper(), "",
            entry.npi or "0000000000", "", "", (entry.city or "").upper(), record.state, "",
            record.status_raw, record.issued.strftime("%Y%m%d") if record.issued else "00000000", "00000000",
            "00000000", ""]


class LeieMirror(FileMirror):
    """UPDATED.csv exactly as captured: 18 columns, every field quoted, CRLF, a business with a comma."""

    def files(self, entries: list[Entry]) -> dict[str, tuple[str, bytes]]:
        rows = [leie_row(e) for e in entries]
        rows.append(["", "", "", "#1 MARKETING SERVICE, INC", "OTHER BUSINESS", "SOBER HOME", "", "0000000000", "",
                     "239 BRIGHTON BEACH AVENUE", "BROOKLYN", "NY", "11235", "1128a1", "20200319", "00000000",
                     "00000000", ""])
        # As captured: a bare header line, then every field of every row quoted, CRLF line ends.
        body = (",".join(LEIE_COLUMNS) + "\r\n").encode() + csv_bytes([], rows, quote_all=True).split(b"\r\n", 1)[1]
        return {"/exclusions/downloadables/UPDATED.csv": ("text/csv", body)}


def leie_entries(world: World, entries: list[Entry]) -> list[Entry]:
    """oig_leie TrueRecords, plus any clinician flagged excluded without one."""
    named = {(name_key(e.given), name_key(e.family)) for e in entries}
    out = list(entries)
    for clinician, state in excluded_clinicians(world):
        parsed = parse_name(clinician.name)
        if (parsed.given_key, parsed.family_key) not in named:
            record = TrueRecord(source="oig_leie", state=state, license_class=LicenseClass.OTHER.value,
                                title="", number="", status_raw="1128b4", status="active", kind="exclusion",
                                issued=date(2025, 1, 15))
            out.append(Entry(record=record, given=parsed.given, middle=parsed.middle, family=parsed.family,
                             suffix=parsed.suffix, npi=clinician.npi, clinician=clinician))
    return out


def leie_filler(count: int) -> list[Entry]:
    out = []
    for entry in filler_entries("oig_leie", count, state="NJ"):
        record = TrueRecord(source="oig_leie", state="NJ", license_class="other", title="NURSE AIDE", number="",
                            status_raw="1128b4", status="active", kind="exclusion", issued=date(2019, 8, 20))
        out.append(Entry(record=record, given=entry.given, middle=entry.middle, family=entry.family, suffix="",
                         filler=True))
    return out


class GenericMirror(FileMirror):
    """A state's roster CSV in the column layout its mapping file declares (the admin's contract)."""

    def __init__(self, mapping: dict, entries: list[Entry], filler: list[Entry]):
        self.mapping = mapping
        super().__init__(entries, filler)

    def files(self, entries: list[Entry]) -> dict[str, tuple[str, bytes]]:
        columns = self.mapping["columns"]
        fmt = self.mapping.get("date_format", "%m/%d/%Y")
        header = list(columns.values())
        rows = []
        for entry in entries:
            record = entry.record
            values = {
                "license_number": record.number, "title": record.title, "status": record.status_raw,
                "holder_name": entry.full_name, "given_name": entry.given, "middle_name": entry.middle,
                "family_name": entry.family, "suffix": entry.suffix,
                "issue_date": record.issued.strftime(fmt) if record.issued else "",
                "expiry_date": record.expires.strftime(fmt) if record.expires else "",
                "city": entry.city or "", "discipline": record.discipline or "",
            }
            rows.append([values.get(field, "") for field in columns])
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=self.mapping.get("delimiter", ","), lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        return {self.mapping["path"]: ("text/csv", buffer.getvalue().encode())}


def _generic_factories() -> dict:
    out = {}
    for info in all_sources():
        if info.adapter == "generic":
            mapping = load_mapping(info.options["mapping"])
            state = info.states[0]
            out[info.name] = (lambda world, entries, m=mapping, n=info.name, s=state:
                              GenericMirror(m, entries, _generic_filler(n, s, m)))
    return out


def _generic_filler(name: str, state: str, mapping: dict) -> list[Entry]:
    title = mapping.get("filler_title", "Licensed Professional Counselor")
    word = mapping.get("filler_status", "Active")
    out = []
    for entry in filler_entries(name, FILLER, state=state):
        record = TrueRecord(source=name, state=state, license_class="professional_counselor", title=title,
                            number=entry.record.number, status_raw=word, status="active",
                            issued=entry.record.issued, expires=entry.record.expires)
        out.append(Entry(record=record, given=entry.given, middle=entry.middle, family=entry.family, suffix="",
                         city=entry.city, filler=True))
    return out


FACTORIES = {
    "tx_bhec": lambda world, entries: TexasMirror(entries, filler_entries("tx_bhec", FILLER)),
    "fl_mqa": lambda world, entries: FloridaMirror(entries, filler_entries("fl_mqa", FILLER)),
    "md_bop": lambda world, entries: MarylandPhysiciansMirror(entries, filler_entries("md_bop", FILLER)),
    "oig_leie": lambda world, entries: LeieMirror(leie_entries(world, entries), leie_filler(FILLER)),
    **_generic_factories(),
}
