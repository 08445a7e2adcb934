"""Roster files: Texas BHEC CSVs, the Florida MQA pipe-delimited file, the Maryland Board of Physicians CSVs,
the OIG LEIE ``UPDATED.csv``, and the generic column-mapped roster.

Each file is streamed to a temporary file and read row by row (never held whole in memory); its
``Last-Modified`` header is the source's as-of date.
"""

import csv
import io
import tomllib
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import IO, Any

from directory.boards.base import (
    NormalRecord,
    Source,
    clean,
    names_from_parts,
    names_from_text,
    row_content,
    stable_key,
)
from directory.boards.dates import dated_fields, source_fields
from directory.boards.http import NotModified, build_url, download, open_url
from directory.boards.registry import ROSTERS_DIR, SourceInfo
from directory.errors import KapdirError, SourceError
from directory.vocab import LicenseClass, LicenseStatus, RecordKind

US_DATES = ("%m/%d/%Y",)  # the declared format of the BHEC, MQA and MD files (docs/sources.md)
# Real roster lines are a few hundred characters (FL MQA's 39 fields ~600). A longer line is not a roster (an
# HTML page on one line, a binary, a runaway quote): the sync fails with a one-line error and keeps the old data.
MAX_LINE_CHARS = 65_536
MAX_PREAMBLE_LINES = 50  # letterhead lines tolerated before a file's header row (MD has about seven)


def _as_of(last_modified: str | None) -> datetime | None:
    if not last_modified:
        return None
    try:
        return parsedate_to_datetime(last_modified).replace(tzinfo=None)
    except (TypeError, ValueError):
        return None


class FileSource(Source):
    """A source read as one or more downloaded files."""

    def headers(self) -> dict[str, str]:
        cookie = self.settings.source_credentials.get(self.info.name)
        return {"Cookie": cookie} if cookie else {}

    @contextmanager
    def fetched(self, path: str) -> Iterator[Path]:
        url = build_url(self.base_url, path)
        local, last_modified = download(self.info.name, url, settings=self.settings, timeout=self.timeout,
                                        headers=self.headers())
        self.as_of = self.as_of or _as_of(last_modified)
        try:
            yield local
        finally:
            local.unlink(missing_ok=True)

    def bounded_lines(self, handle: IO[str], path: str) -> Iterator[str]:
        """The file's lines, failing on one longer than MAX_LINE_CHARS (read with a limit, so a huge line is
        never held whole)."""
        number = 0
        while line := handle.readline(MAX_LINE_CHARS + 2):
            number += 1
            if len(line.rstrip("\r\n")) > MAX_LINE_CHARS:
                raise SourceError(f"{self.info.name}: garbage in {path} line {number}: longer than "
                                  f"{MAX_LINE_CHARS:,} characters")
            yield line

    def csv_rows(self, path: str, required: tuple[str, ...], *, header_starts: str | None = None,
                 **reader_options: Any) -> Iterator[dict[str, str]]:
        """Rows as dicts keyed by the stripped header. With ``header_starts``, lines before the row whose first
        cell is that text (a letterhead) are skipped: the header is found, never assumed to be line 1."""
        with self.fetched(path) as local, open(local, newline="", encoding="utf-8-sig", errors="replace") as handle:
            reader = csv.reader(self.bounded_lines(handle, path), **reader_options)
            try:
                header = self._header(reader, path, header_starts)
                missing = [column for column in required if column not in header]
                if missing:
                    raise SourceError(f"{self.info.name}: garbage from {path}: header lacks {', '.join(missing)}")
                for cells in reader:
                    if any(cell.strip() for cell in cells):
                        yield dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))
            except csv.Error as exc:
                raise SourceError(f"{self.info.name}: garbage in {path} line {reader.line_num}: {exc}") from None

    def _header(self, reader: Iterator[list[str]], path: str, header_starts: str | None) -> list[str]:
        for cells in reader:
            header = [cell.strip() for cell in cells]
            if header_starts is None or (header and header[0] == header_starts):
                return header
            if reader.line_num > MAX_PREAMBLE_LINES:
                break
        wanted = f" starting {header_starts!r} in its first {MAX_PREAMBLE_LINES} lines" if header_starts else ""
        raise SourceError(f"{self.info.name}: garbage from {path}: no header row{wanted}")

    def raw_fields(self, record: NormalRecord) -> set[str]:
        return source_fields(super().raw_fields(record))

    def public(self, path: str) -> str:
        return build_url(self.info.public_url, path)

    def paths(self) -> list[str]:
        """The file paths a sync downloads (for the conditional check)."""
        return []

    # A file roster yields (path, row) units: the row as read, and the file it came from (part of its content:
    # the same row in another file is another record's evidence). ``to_record`` normalises one.

    def file_rows(self) -> Iterator[tuple[str, dict[str, str]]]:
        raise NotImplementedError

    def to_record(self, path: str, row: dict[str, str]) -> NormalRecord | None:
        raise NotImplementedError

    def units(self) -> Iterator[tuple[bytes, Any]]:
        for path, row in self.file_rows():
            yield path.encode() + b"\x1d" + row_content(row), (path, row)

    def normalise(self, unit: tuple[str, dict[str, str]]) -> Iterator[NormalRecord]:
        record = self.to_record(*unit)
        if record is not None:
            yield record

    def sync(self) -> Iterator[NormalRecord]:
        for _content, unit in self.units():
            yield from self.normalise(unit)

    def unchanged_since(self, as_of: datetime) -> bool:
        """Every file answers 304 Not Modified to If-Modified-Since the last good sync's as-of date."""
        paths = self.paths()
        if not paths:
            return False
        headers = {**self.headers(), "If-Modified-Since": format_datetime(as_of.replace(tzinfo=UTC), usegmt=True)}
        for path in paths:
            try:
                response = open_url(self.info.name, build_url(self.base_url, path), settings=self.settings,
                                    timeout=self.timeout, headers=headers)
            except NotModified:
                continue
            response.close()
            return False
        self.as_of = as_of
        return True


class TexasBHEC(FileSource):
    """BHEC's four daily CSVs (LPC, MFT, PSY, SW): current licensees only."""

    name = adapter = "tx_bhec"
    options = {"files": list}
    columns = ("LIC_TYPE", "RANK", "LIC_NBR", "LAST_NME", "FIRST_NME", "LIC_STATUS", "LIC_EXPR_DTE")
    fields_expected = frozenset(columns)
    fields_known = frozenset({*columns, "ENTITY_NBR", "MIDDLE_NME", "SFX_NME", "RANK_EFCT_DTE", "DISCPL_ACTN"})

    def paths(self) -> list[str]:
        return [f"/csv/{code}.csv" for code in self.info.options["files"]]

    def file_rows(self) -> Iterator[tuple[str, dict[str, str]]]:
        for code in self.info.options["files"]:
            path = f"/csv/{code}.csv"
            for row in self.csv_rows(path, self.columns):
                yield path, row

    def to_record(self, path: str, row: dict[str, str]) -> NormalRecord:
        rank, lic_type = clean(row.get("RANK")), clean(row.get("LIC_TYPE"))
        title = rank or lic_type
        discipline = clean(row.get("DISCPL_ACTN")).upper() in {"YES", "Y"}
        return self.record(
            record_key=f"{lic_type}|{clean(row['LIC_NBR'])}",
            names=names_from_parts(row.get("FIRST_NME"), row.get("MIDDLE_NME"), row.get("LAST_NME"),
                                   row.get("SFX_NME")),
            state="TX", title_raw=title, license_number=clean(row["LIC_NBR"]),
            status_raw=clean(row.get("LIC_STATUS")),
            discipline=discipline, discipline_text="Disciplinary action on file (DISCPL_ACTN=Yes)"
            if discipline else None, source_url=self.public(path),
            **dated_fields(US_DATES, row, expiry_date=row.get("LIC_EXPR_DTE"),
                           issue_date=row.get("RANK_EFCT_DTE")),
        )


# The MQA file's 39 fields as normalised by production importers (reference, state-rosters.md 6.4).
MQA_FIELDS = (
    "pro_cde|profession_name|lic_id|expire_date|original_date|rank_code|license_number|status_effective_date|"
    "board_action_indicator|license_status_description|last_name|first_name|middle_name|name_suffix|business_name|"
    "license_active_status_description|county|county_description|mailing_address_line1|mailing_address_line2|"
    "mailing_address_line3|mailing_address_city|mailing_address_state|mailing_address_zipcode|"
    "mailing_address_area_code|mailing_address_phone_number|mailing_address_phone_extension|"
    "practice_location_address_line1|practice_location_address_line2|practice_location_address_line3|"
    "practice_location_address_city|practice_location_address_state|practice_location_address_zipcode|email|"
    "mod_cdes|prescribe_ind|dispensing_ind|birth_year_range|other_license"
).split("|")
MQA_MEMBER = "dbdumps/ldms/PROF_ALL.txt"


def mqa_header_key(name: str) -> str:
    """'License-Number' / 'LICENSE NUMBER' / 'license_number' -> 'license_number'."""
    return clean(name).lower().replace("-", "_").replace(" ", "_")


class FloridaMQA(FileSource):
    """PROF_ALL.zip: '|'-delimited, unquoted (stray '"' kept out of names), a trailing '|' on every line, and a
    few rows with an extra '|' inside a value (skipped and counted: their columns cannot be trusted).
    Out-of-state telehealth registrants (s. 456.47) are their own profession names -> telehealth_registration."""

    name = adapter = "fl_mqa"
    options = {"file": str}
    fields_expected = frozenset({"license_number", "last_name", "profession_name", "license_status_description"})
    fields_known = frozenset(MQA_FIELDS)

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.skipped = 0

    def paths(self) -> list[str]:
        return ["/LicensureData?" + f"fileName={self.info.options['file']}&handler=DownloadDataFile"]

    def lines(self) -> Iterator[list[str]]:
        with self.fetched(self.paths()[0]) as local:
            try:
                archive = zipfile.ZipFile(local)
            except zipfile.BadZipFile:
                raise SourceError(f"{self.info.name}: garbage: {self.info.options['file']} is not a zip") from None
            with archive, archive.open(MQA_MEMBER) as member:
                text = io.TextIOWrapper(member, encoding="ascii", errors="replace", newline="")
                for line in self.bounded_lines(text, MQA_MEMBER):
                    line = line.rstrip("\r\n")
                    if line:
                        yield line.split("|")

    def file_rows(self) -> Iterator[tuple[str, dict[str, str]]]:
        self.skipped = 0
        lines = self.lines()
        header = [mqa_header_key(h) for h in next(lines, [])]
        if header and header[-1] == "":
            header.pop()
        if not {"license_number", "last_name", "profession_name", "license_status_description"} <= set(header):
            raise SourceError(f"{self.info.name}: garbage: not an MQA licensure file (header {header[:4]})")
        width = len(header)
        for fields in lines:
            if len(fields) == width + 1 and fields[-1] == "":
                fields.pop()  # the trailing '|'
            if len(fields) != width:
                self.skipped += 1
                continue
            yield MQA_MEMBER, dict(zip(header, fields, strict=True))

    def to_record(self, path: str, row: dict[str, str]) -> NormalRecord:
        profession = clean(row.get("profession_name"))
        telehealth = "TELEHEALTH" in profession.upper()
        status_parts = [clean(row.get("license_status_description")),
                        clean(row.get("license_active_status_description"))]
        status_raw = "/".join(p for p in status_parts if p)
        discipline = clean(row.get("board_action_indicator")).upper() == "Y"
        mailing_state = clean(row.get("mailing_address_state")) or None
        return self.record(
            record_key=clean(row.get("lic_id")) or f"{clean(row.get('pro_cde'))}|{clean(row['license_number'])}",
            names=names_from_parts(row.get("first_name"), row.get("middle_name"), row.get("last_name"),
                                   row.get("name_suffix")),
            kind=RecordKind.TELEHEALTH_REGISTRATION if telehealth else RecordKind.LICENSE,
            state="FL", home_state=mailing_state if telehealth else None,
            title_raw=profession, license_number=clean(row["license_number"]), status_raw=status_raw,
            discipline=discipline, discipline_text="Board action on file (Board-Action-Indicator=Y)" if discipline
            else None,
            city=clean(row.get("practice_location_address_city")) or clean(row.get("mailing_address_city")) or None,
            address_state=mailing_state, source_url=self.public("/"),
            **dated_fields(US_DATES, row, issue_date=row.get("original_date"), expiry_date=row.get("expire_date")),
        )


class MarylandPhysicians(FileSource):
    """The Board of Physicians' monthly CSVs: physicians, and allied health (PAs). Active and Probation only.
    About seven letterhead lines precede each header row, found by its first cell (``License #`` / ``Profession``)."""

    name = adapter = "md_bop"
    fields_expected = frozenset({"License #", "Last Name", "First Name"})
    fields_known = frozenset({"License #", "Last Name", "First Name", "License Status", "Expiration Date", "Discipline",
                              "Profession", "Status", "Expire Date"})

    def paths(self) -> list[str]:
        return ["/forms/doctor_list_revised.csv", "/forms/allied_health_list.csv"]

    def _discipline(self, value: str) -> tuple[bool, str | None]:
        value = clean(value)
        if value.upper() in {"", "N", "NO", "NONE"}:
            return False, None
        return True, None if value.upper() in {"Y", "YES"} else value

    DOCTORS, ALLIED = "/forms/doctor_list_revised.csv", "/forms/allied_health_list.csv"

    def file_rows(self) -> Iterator[tuple[str, dict[str, str]]]:
        for row in self.csv_rows(self.DOCTORS, ("License #", "Last Name", "First Name", "License Status"),
                                 header_starts="License #"):
            yield self.DOCTORS, row
        for row in self.csv_rows(self.ALLIED, ("Profession", "License #", "Last Name", "First Name", "Status"),
                                 header_starts="Profession"):
            yield self.ALLIED, row

    def to_record(self, path: str, row: dict[str, str]) -> NormalRecord:
        discipline, text = self._discipline(row.get("Discipline", ""))
        if path == self.DOCTORS:
            return self.record(
                record_key=f"Physician|{clean(row['License #'])}",
                names=names_from_parts(row.get("First Name"), None, row.get("Last Name")),
                state="MD", title_raw="Physician", license_class=LicenseClass.PHYSICIAN,
                license_number=clean(row["License #"]), status_raw=clean(row["License Status"]),
                discipline=discipline, discipline_text=text, source_url=self.public(path),
                **dated_fields(US_DATES, row, expiry_date=row.get("Expiration Date")),
            )
        profession = clean(row["Profession"])
        return self.record(
            record_key=f"{profession}|{clean(row['License #'])}",
            names=names_from_parts(row.get("First Name"), None, row.get("Last Name")),
            state="MD", title_raw=profession, license_number=clean(row["License #"]),
            status_raw=clean(row["Status"]), discipline=discipline, discipline_text=text,
            source_url=self.public(path), **dated_fields(US_DATES, row, expiry_date=row.get("Expire Date")),
        )


LEIE_COLUMNS = ("LASTNAME", "FIRSTNAME", "MIDNAME", "BUSNAME", "GENERAL", "SPECIALTY", "UPIN", "NPI", "DOB", "ADDRESS",
                "CITY", "STATE", "ZIP", "EXCLTYPE", "EXCLDATE", "REINDATE", "WAIVERDATE", "WVRSTATE")
LEIE_DATES = ("%Y%m%d",)


class OigLeie(FileSource):
    """OIG LEIE UPDATED.csv: every field quoted, CRLF, YYYYMMDD dates with '00000000' and '0000000000' sentinels.
    Active exclusions only; businesses (no LASTNAME) are skipped: they are not clinicians."""

    name = adapter = "oig_leie"
    fields_expected = fields_known = frozenset(LEIE_COLUMNS)
    path = "/exclusions/downloadables/UPDATED.csv"

    def paths(self) -> list[str]:
        return [self.path]

    def file_rows(self) -> Iterator[tuple[str, dict[str, str]]]:
        for row in self.csv_rows(self.path, LEIE_COLUMNS):
            yield self.path, row

    def to_record(self, path: str, row: dict[str, str]) -> NormalRecord | None:
        if not clean(row.get("LASTNAME")):
            return None
        npi = clean(row.get("NPI"))
        fields = dated_fields(LEIE_DATES, row, issue_date=row.get("EXCLDATE"))
        excluded_on = fields["issue_date"]
        general, specialty = clean(row.get("GENERAL")), clean(row.get("SPECIALTY"))
        return self.record(
            record_key=stable_key(row["LASTNAME"], row["FIRSTNAME"], row["MIDNAME"], row["DOB"],
                                  row["EXCLDATE"], row["EXCLTYPE"], npi),
            names=names_from_parts(row.get("FIRSTNAME"), row.get("MIDNAME"), row.get("LASTNAME")),
            kind=RecordKind.EXCLUSION, state=clean(row.get("STATE")) or None,
            title_raw=" / ".join(p for p in (general, specialty) if p) or None,
            license_class=self.license_class(general),
            status_raw=clean(row.get("EXCLTYPE")),
            discipline=True, discipline_text=f"Excluded by HHS-OIG under section {clean(row.get('EXCLTYPE'))}"
            f"{f' since {excluded_on:%Y-%m-%d}' if excluded_on else ''}",
            npi=None if set(npi) <= {"0"} else npi, city=clean(row.get("CITY")) or None,
            address_state=clean(row.get("STATE")) or None, source_url=self.public(path), **fields,
        )


def load_mapping(file_name: str) -> dict[str, Any]:
    """A generic roster's column mapping (directory/data/rosters/<file>)."""
    path = ROSTERS_DIR / file_name
    try:
        mapping = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KapdirError(f"cannot read roster mapping {path}: {exc}") from exc
    columns = mapping.get("columns", {})
    if "license_number" not in columns or not ({"holder_name"} & columns.keys()
                                               or {"given_name", "family_name"} <= columns.keys()):
        raise KapdirError(f"{path}: [columns] needs license_number and holder_name (or given_name + family_name)")
    return mapping


class GenericRoster(FileSource):
    """Any state's roster CSV, read through a column-mapping file (directory/data/rosters/*.toml).

    An admin adds a state with a mapping file and a sources.toml entry: no code. The mapping names the file path,
    delimiter, date format, which column holds which field, and the board's status words and titles.
    """

    adapter = "generic"
    options = {"mapping": str}

    def __init__(self, *, info: SourceInfo, **options: Any):
        self.name = info.name
        super().__init__(info=info, **options)
        self.mapping = load_mapping(info.options["mapping"])
        self.status_words = {k.upper(): v for k, v in self.mapping.get("status_words", {}).items()}
        self.titles = {k.upper(): v for k, v in self.mapping.get("titles", {}).items()}

    def paths(self) -> list[str]:
        return [self.mapping["path"]]

    def status(self, raw: str | None) -> LicenseStatus:
        word = " ".join((raw or "").split()).upper()
        return LicenseStatus(self.status_words[word]) if word in self.status_words else super().status(raw)

    def license_class(self, title: str | None) -> LicenseClass:
        word = " ".join((title or "").split()).upper()
        return LicenseClass(self.titles[word]) if word in self.titles else super().license_class(title)

    def file_rows(self) -> Iterator[tuple[str, dict[str, str]]]:
        mapping, columns = self.mapping, self.mapping["columns"]
        required = tuple(columns[k] for k in ("license_number", "holder_name", "given_name", "family_name")
                         if k in columns)
        for row in self.csv_rows(mapping["path"], required, delimiter=mapping.get("delimiter", ",")):
            yield mapping["path"], row

    def to_record(self, path: str, row: dict[str, str]) -> NormalRecord | None:
        mapping, columns = self.mapping, self.mapping["columns"]

        def cell(field: str) -> str:
            return clean(row.get(columns[field])) if field in columns else ""

        number = cell("license_number")
        if not number:
            return None
        title = cell("title") or mapping.get("default_title", "")
        names = (names_from_text(cell("holder_name")) if "holder_name" in columns else
                 names_from_parts(cell("given_name"), cell("middle_name"), cell("family_name"), cell("suffix")))
        discipline_text = cell("discipline")
        disciplined = discipline_text.upper() not in {"", "N", "NO", "NONE"}
        return self.record(
            record_key=f"{title}|{number}", names=names, state=mapping.get("state") or self.info.states[0],
            title_raw=title or None, license_class=self.license_class(title), license_number=number,
            status_raw=cell("status"), discipline=disciplined,
            discipline_text=discipline_text if disciplined else None, city=cell("city") or None,
            source_url=self.public(path),
            **dated_fields((mapping.get("date_format", "%m/%d/%Y"),), row, issue_date=cell("issue_date"),
                           expiry_date=cell("expiry_date")),
        )
