"""Socrata open-data rosters: Connecticut ngch-56tr, Washington qxh8-f4bd, Illinois pzzh-kp68, Colorado 7s5z-vewr.

SoQL paging with ``$where/$order/$limit/$offset`` (ordered by a unique key so pages are stable), the app token
in ``X-App-Token``, HTTP 429 backoff (directory.boards.http), and ``rowsUpdatedAt`` from ``/api/views/{id}``
as the source's as-of date. Each state has its own column layout (reference: state-rosters.md sections 0-4).
"""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any

from directory.boards.base import NormalRecord, Source, clean, names_from_parts, names_from_text, row_content
from directory.boards.dates import dated_fields, source_fields
from directory.boards.http import build_url, get_json
from directory.errors import SourceError
from directory.vocab import LicenseClass, LicenseStatus

# Each dataset's declared date formats (docs/sources.md, "Rosters"): a date in none of them is a counted error.
SOCRATA_DATES = ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S")  # floating timestamps (CT, CO)
US_DATES = ("%m/%d/%Y",)  # text MM/DD/YYYY (IL)
WA_DATES = ("%m/%d/%Y", "%Y%m%d")  # text MM/DD/YYYY; some exports YYYYMMDD
IN_FORCE = frozenset({LicenseStatus.ACTIVE, LicenseStatus.PROBATION})


class SocrataSource(Source):
    """One Socrata dataset (``dataset`` in sources.toml); each subclass reads its state's columns, declared date
    formats and quirks."""

    required: tuple[str, ...] = ()
    options = {"dataset": str, "where": str}
    date_formats: tuple[str, ...] = SOCRATA_DATES

    def raw_fields(self, record: NormalRecord) -> set[str]:
        return source_fields(super().raw_fields(record))

    def _headers(self) -> dict[str, str]:
        token = self.settings.socrata_app_token
        return {"X-App-Token": token} if token else {}

    def _get(self, url: str) -> Any:
        return get_json(self.info.name, url, settings=self.settings, timeout=self.timeout, headers=self._headers())

    def fetch_as_of(self) -> datetime | None:
        meta = self._get(build_url(self.base_url, f"/api/views/{self.info.options['dataset']}"))
        stamp = meta.get("rowsUpdatedAt") if isinstance(meta, dict) else None
        if not isinstance(stamp, int | float):
            raise SourceError(f"{self.info.name}: dataset metadata has no rowsUpdatedAt")
        return datetime.fromtimestamp(stamp, UTC).replace(tzinfo=None)

    def unchanged_since(self, as_of: datetime) -> bool:
        """rowsUpdatedAt no newer than the last good sync's: nothing to download."""
        self.as_of = self.fetch_as_of()
        return self.as_of is not None and self.as_of <= as_of

    def order(self) -> str:
        return ":id"

    def rows(self, where: str | None = None) -> Iterator[dict[str, Any]]:
        """Every row matching ``where`` (plus the source's own filter), page by page."""
        limit = self.page_size or self.settings.board_page_size
        filters = [f for f in (self.info.options.get("where"), where) if f]
        params: dict[str, Any] = {"$order": self.order(), "$limit": limit}
        if filters:
            params["$where"] = " AND ".join(f"({f})" for f in filters)
        resource = f"/resource/{self.info.options['dataset']}.json"

        def fetch(offset: int) -> list:
            page = self._get(build_url(self.base_url, resource, {**params, "$offset": offset}))
            if not isinstance(page, list) or any(not isinstance(row, dict) for row in page):
                raise SourceError(f"{self.info.name}: garbage: expected a JSON array of rows at offset {offset}")
            return page

        # The next page downloads while this one is normalised and stored (at most two pages in memory).
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{self.info.name}-page") as pool:
            offset = 0
            pending = pool.submit(fetch, offset)
            while True:
                page = pending.result()
                if len(page) == limit:
                    pending = pool.submit(fetch, offset + limit)
                if page and offset == 0:
                    missing = [column for column in self.required if column not in page[0]]
                    if missing:
                        raise SourceError(f"{self.info.name}: garbage: rows lack columns {', '.join(missing)}")
                yield from page
                if len(page) < limit:
                    return
                offset += limit

    def sync(self) -> Iterator[NormalRecord]:
        for _content, unit in self.units():
            yield from self.normalise(unit)

    def units(self) -> Iterator[tuple[bytes, Any]]:
        """Each row as it came (its content for the store's hash), normalised only if the store asks."""
        self.as_of = self.fetch_as_of()
        for row in self.rows():
            yield row_content(row), row

    def normalise(self, row: dict[str, Any]) -> Iterator[NormalRecord]:
        record = self.to_record(row)
        if record is not None:
            record.source_url = self.memo(("source_url",), lambda: build_url(
                self.info.public_url, f"/resource/{self.info.options['dataset']}.json"))
            yield record

    def to_record(self, row: dict[str, Any]) -> NormalRecord | None:
        raise NotImplementedError


class ConnecticutSocrata(SocrataSource):
    name = adapter = "ct_socrata"
    required = ("fullcredentialcode", "name", "credential", "status")
    # Live check (`kapdir boards check`): the columns read, and every column the evidence shows (docs/sources.md).
    fields_expected = frozenset(required)
    fields_known = frozenset({
        "credentialid", "name", "type", "businessname", "dba", "fullcredentialcode", "credentialnumber",
        "credentialtype", "credential", "status", "statusreason", "issuedate", "effectivedate", "expirationdate",
        "address", "city", "state", "zip", "recordrefreshedon", "active"})
    options = {**SocrataSource.options, "status_reasons": dict}  # statusreason -> status (sources.toml)

    def ct_status(self, row: dict[str, Any]) -> LicenseStatus:
        """The status word through the table, then the dataset's own evidence: a ``statusreason`` may say more
        (INACTIVE + "LAPSED DUE TO NON-RENEWAL" is an expiry), and the ``active`` flag may only take a license
        out of force (it is 1 also for LAPSED and RETIRED, so it never makes one active)."""
        cells = (row.get("status"), row.get("statusreason"), row.get("active"))
        if all(cell is None or type(cell) is str for cell in cells):  # a few dozen combinations in a roster
            return self.memo(("ct_status", *cells), lambda: self._ct_status(*cells))
        return self._ct_status(*cells)

    def _ct_status(self, word: Any, reason: Any, active: Any) -> LicenseStatus:
        status = self.status(word)
        reason = " ".join(clean(reason).upper().split())
        by_reason = self.info.options.get("status_reasons", {}).get(reason)
        if by_reason and status not in IN_FORCE and by_reason not in IN_FORCE:
            status = LicenseStatus(by_reason)
        flag = clean(active).lower()
        if status in IN_FORCE and flag in {"0", "false"}:
            return LicenseStatus.UNKNOWN  # the word says in force, the flag says not: never verified on that
        return status

    def to_record(self, row: dict[str, Any]) -> NormalRecord | None:
        if not clean(row.get("name")):
            return None
        fields = dated_fields(self.date_formats, row, issue_date=row.get("issuedate"),
                              expiry_date=row.get("expirationdate"))
        fields.setdefault("status", self.ct_status(row))
        code = clean(row["fullcredentialcode"])
        return self.record(
            record_key=code,  # numbers are reused across types
            names=names_from_text(row["name"]),
            state="CT",
            title_raw=clean(row.get("credential")) or None,
            license_number=code or None,
            status_raw=clean(row.get("status")),
            city=clean(row.get("city")) or None,
            address_state=clean(row.get("state")) or None,
            **fields,
        )


class WashingtonSocrata(SocrataSource):
    """WA dates are text MM/DD/YYYY (some exports YYYYMMDD). A credential number can appear twice: the live row
    and a ``Superseded`` twin. Rows are ordered by number so twins arrive together and merge (the live one wins)."""

    name = adapter = "wa_socrata"
    required = ("credentialnumber", "lastname", "credentialtype", "status")
    fields_expected = frozenset(required)  # the full column list is not evidenced (e.g. a CE due date): unchecked
    date_formats = WA_DATES

    def order(self) -> str:
        return "credentialnumber,:id"

    def to_record(self, row: dict[str, Any]) -> NormalRecord | None:
        if not clean(row.get("lastname")):
            return None
        action = clean(row.get("actiontaken"))
        disciplined = bool(action) and action.upper() not in {"NO", "N", "NONE"}
        return self.record(
            record_key=clean(row["credentialnumber"]),
            names=names_from_parts(row.get("firstname"), row.get("middlename"), row.get("lastname")),
            state="WA",
            title_raw=clean(row.get("credentialtype")) or None,
            license_number=clean(row["credentialnumber"]),
            status_raw=clean(row.get("status")),
            discipline=disciplined,
            discipline_text=action if disciplined else None,
            **dated_fields(self.date_formats, row, issue_date=row.get("firstissuedate"),
                           expiry_date=row.get("expirationdate")),
        )

    def units(self) -> Iterator[tuple[bytes, Any]]:
        return run_units(super().units(), lambda row: clean(row.get("credentialnumber")))

    def normalise(self, rows: list[dict[str, Any]]) -> Iterator[NormalRecord]:
        return merge_runs(normalise_each(super().normalise, rows), _prefer_live)


def _twin_rank(record: NormalRecord) -> tuple:
    """Superseded rows lose to any other; then the row in force; then the later expiry."""
    superseded = (record.status_raw or "").strip().upper() == "SUPERSEDED"
    return (not superseded, record.status in IN_FORCE, record.expiry_date or date.min)


def run_units(units: Iterator[tuple[bytes, Any]], key: Callable[[dict[str, Any]], Any]
              ) -> Iterator[tuple[bytes, list[dict[str, Any]]]]:
    """Rows of one record arrive together (the query orders by the record's key): one unit per run of rows, so a
    record built from several rows is unchanged only when all of them are."""
    run: list[tuple[bytes, dict[str, Any]]] = []
    for content, row in units:
        if run and key(run[-1][1]) != key(row):
            yield _joined(run), [r for _c, r in run]
            run = []
        run.append((content, row))
    if run:
        yield _joined(run), [r for _c, r in run]


def _joined(run: list[tuple[bytes, Any]]) -> bytes:
    if len(run) == 1:
        return run[0][0]
    return b"".join(len(c).to_bytes(8, "big") + c for c, _r in run)  # length-prefixed: no two runs read alike


def normalise_each(normalise: Callable[[Any], Iterator[NormalRecord]], rows: list[Any]) -> Iterator[NormalRecord]:
    for row in rows:
        yield from normalise(row)


def merge_runs(records: Iterator[NormalRecord],
               merge: Callable[[NormalRecord, NormalRecord], NormalRecord]) -> Iterator[NormalRecord]:
    """Rows of one record key arrive together (the query orders by it): fold each run into one record."""
    pending: NormalRecord | None = None
    for record in records:
        if pending is not None and pending.record_key == record.record_key:
            pending = merge(pending, record)
            continue
        if pending is not None:
            yield pending
        pending = record
    if pending is not None:
        yield pending


def _prefer_live(first: NormalRecord, second: NormalRecord) -> NormalRecord:
    """Two rows with one credential number: keep the live one, the other's raw row as evidence in ``twins``."""
    keep, drop = (second, first) if _twin_rank(second) > _twin_rank(first) else (first, second)
    keep.raw = {**keep.raw, "twins": [*keep.raw.get("twins", []), drop.raw]}
    return keep


class IllinoisSocrata(SocrataSource):
    name = adapter = "il_socrata"
    required = ("license_type", "license_number", "license_status", "last_name")
    fields_expected = frozenset(required)
    fields_known = frozenset({
        "license_type", "description", "license_number", "license_status", "business", "title", "first_name",
        "middle", "last_name", "prefix", "suffix", "business_name", "businessdba", "original_issue_date",
        "effective_date", "expiration_date", "city", "state", "zip", "county", "specialty_qualifier",
        "ever_disciplined", "discipline_start_date", "action", "discipline_reason"})
    date_formats = US_DATES

    def il_class(self, license_type: str, description: str) -> LicenseClass:
        """By the license description: ``license_type`` is the board (NURSING BOARD holds RNs, LPNs and midwives;
        PROF. COUNSELOR holds LPC and LCPC). The board decides only when the description says nothing."""
        license_class = self.license_class(description) if description else LicenseClass.OTHER
        board = " ".join(license_type.upper().split())
        if license_class is LicenseClass.OTHER and board in self.info.titles:
            return LicenseClass(self.info.titles[board])  # the board table itself (several-class boards: other)
        return license_class

    def to_record(self, row: dict[str, Any]) -> NormalRecord | None:
        if not clean(row.get("last_name")):
            return None
        license_type = clean(row.get("license_type"))
        description = clean(row.get("description"))
        license_class = self.il_class(license_type, description)
        disciplined = clean(row.get("ever_disciplined")).upper() == "Y"
        text = "; ".join(p for p in (clean(row.get("action")), clean(row.get("discipline_reason"))) if p)
        return self.record(
            record_key=f"{license_type}|{clean(row['license_number'])}",
            names=names_from_parts(row.get("first_name"), row.get("middle"), row.get("last_name"), row.get("suffix")),
            state="IL",
            title_raw=description or license_type,
            license_class=license_class,
            license_number=clean(row["license_number"]),
            status_raw=clean(row.get("license_status")),
            discipline=disciplined,
            discipline_text=text or None,
            city=clean(row.get("city")) or None,
            address_state=clean(row.get("state")) or None,
            **dated_fields(self.date_formats, row, issue_date=row.get("original_issue_date"),
                           expiry_date=row.get("expiration_date")),
        )


class ColoradoSocrata(SocrataSource):
    """Colorado repeats a license once per discipline case: rows are ordered by license and merged."""

    name = adapter = "co_socrata"
    required = ("licensenumber", "licensetype", "lastname", "licensestatusdescription")
    fields_expected = frozenset(required)
    fields_known = frozenset({
        "lastname", "firstname", "middlename", "suffix", "entityname", "city", "state", "mailzipcode", "licensetype",
        "subcategory", "licensenumber", "licensefirstissuedate", "licenseexpirationdate", "licensestatusdescription",
        "specialty", "linktoverifylicense", "linktoverifylicense.url", "programaction", "disciplineeffectivedate",
        "casenumber"})

    def order(self) -> str:
        return "licensetype,licensenumber,:id"

    def to_record(self, row: dict[str, Any]) -> NormalRecord | None:
        if not clean(row.get("lastname")):
            return None
        license_type = clean(row.get("licensetype"))
        action = clean(row.get("programaction"))
        link = row.get("linktoverifylicense")
        raw = {**row, "verify_url": link.get("url") if isinstance(link, dict) else None}
        return self.record(
            record_key=f"{license_type}|{clean(row['licensenumber'])}",  # numbers are scoped per type
            names=names_from_parts(row.get("firstname"), row.get("middlename"), row.get("lastname"), row.get("suffix")),
            state="CO",
            title_raw=" ".join(p for p in (license_type, clean(row.get("subcategory"))) if p),
            license_class=self.license_class(license_type),
            license_number=clean(row["licensenumber"]),
            status_raw=clean(row.get("licensestatusdescription")),
            discipline=bool(action),
            discipline_text=action or None,
            city=clean(row.get("city")) or None,
            address_state=clean(row.get("state")) or None,
            **dated_fields(self.date_formats, raw, issue_date=row.get("licensefirstissuedate"),
                           expiry_date=row.get("licenseexpirationdate")),
        )

    def units(self) -> Iterator[tuple[bytes, Any]]:
        return run_units(super().units(), lambda row: (clean(row.get("licensetype")), clean(row.get("licensenumber"))))

    def normalise(self, rows: list[dict[str, Any]]) -> Iterator[NormalRecord]:
        return merge_runs(normalise_each(super().normalise, rows), _merge_cases)


def _merge_cases(first: NormalRecord, second: NormalRecord) -> NormalRecord:
    """One license, two discipline cases: keep the license, join the case texts."""
    texts = [t for t in (first.discipline_text, second.discipline_text) if t]
    first.discipline = first.discipline or second.discipline
    first.discipline_text = "; ".join(dict.fromkeys(texts)) or None
    cases = first.raw.setdefault("cases", [])
    cases.append({k: second.raw.get(k) for k in ("programaction", "disciplineeffectivedate", "casenumber")})
    return first
