"""Socrata open-data rosters: Connecticut ngch-56tr, Washington qxh8-f4bd, Illinois pzzh-kp68, Colorado 7s5z-vewr.

SoQL paging with ``$where/$order/$limit/$offset`` (ordered by a unique key so pages are stable), the app token
in ``X-App-Token``, HTTP 429 backoff (directory.boards.http), and ``rowsUpdatedAt`` from ``/api/views/{id}``
as the source's as-of date. Each state has its own column layout (reference: state-rosters.md sections 0-4).
"""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from directory.boards.base import NormalRecord, Source, clean, names_from_parts, names_from_text, parse_date
from directory.boards.http import build_url, get_json
from directory.errors import SourceError

IL_DATES = ("%m/%d/%Y",)  # Illinois dates are text MM/DD/YYYY, not Socrata timestamps
SOCRATA_DATES = ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S")


class SocrataSource(Source):
    """One Socrata dataset (``dataset`` in sources.toml); each subclass maps its state's columns."""

    required: tuple[str, ...] = ()
    options = {"dataset": str, "where": str}

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
        self.as_of = self.fetch_as_of()
        url = build_url(self.info.public_url, f"/resource/{self.info.options['dataset']}.json")
        for row in self.rows():
            record = self.to_record(row)
            if record is not None:
                record.source_url = url
                yield record

    def to_record(self, row: dict[str, Any]) -> NormalRecord | None:
        raise NotImplementedError


class ConnecticutSocrata(SocrataSource):
    name = adapter = "ct_socrata"
    required = ("fullcredentialcode", "name", "credential", "status")

    def to_record(self, row: dict[str, Any]) -> NormalRecord | None:
        if not clean(row.get("name")):
            return None
        status_raw = clean(row.get("status"))
        return self.record(
            record_key=clean(row["fullcredentialcode"]),  # numbers are reused across types
            names=names_from_text(row["name"]),
            state="CT",
            title_raw=clean(row.get("credential")) or None,
            license_number=clean(row.get("fullcredentialcode")) or None,
            status_raw=status_raw,
            issue_date=parse_date(row.get("issuedate"), SOCRATA_DATES),
            expiry_date=parse_date(row.get("expirationdate"), SOCRATA_DATES),
            city=clean(row.get("city")) or None,
            address_state=clean(row.get("state")) or None,
            raw=row,
        )


class WashingtonSocrata(SocrataSource):
    name = adapter = "wa_socrata"
    required = ("credentialnumber", "lastname", "credentialtype", "status")

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
            issue_date=parse_date(row.get("firstissuedate"), SOCRATA_DATES),
            expiry_date=parse_date(row.get("expirationdate"), SOCRATA_DATES),
            discipline=disciplined,
            discipline_text=action if disciplined else None,
            raw=row,
        )


class IllinoisSocrata(SocrataSource):
    name = adapter = "il_socrata"
    required = ("license_type", "license_number", "license_status", "last_name")

    def to_record(self, row: dict[str, Any]) -> NormalRecord | None:
        if not clean(row.get("last_name")):
            return None
        license_type = clean(row.get("license_type"))
        description = clean(row.get("description"))
        in_table = license_type.upper() in self.info.titles
        license_class = self.license_class(license_type if in_table else (description or license_type))
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
            issue_date=parse_date(row.get("original_issue_date"), IL_DATES),
            expiry_date=parse_date(row.get("expiration_date"), IL_DATES),
            discipline=disciplined,
            discipline_text=text or None,
            city=clean(row.get("city")) or None,
            address_state=clean(row.get("state")) or None,
            raw=row,
        )


class ColoradoSocrata(SocrataSource):
    """Colorado repeats a license once per discipline case: rows are ordered by license and merged."""

    name = adapter = "co_socrata"
    required = ("licensenumber", "licensetype", "lastname", "licensestatusdescription")

    def order(self) -> str:
        return "licensetype,licensenumber,:id"

    def to_record(self, row: dict[str, Any]) -> NormalRecord | None:
        if not clean(row.get("lastname")):
            return None
        license_type = clean(row.get("licensetype"))
        action = clean(row.get("programaction"))
        link = row.get("linktoverifylicense")
        return self.record(
            record_key=f"{license_type}|{clean(row['licensenumber'])}",  # numbers are scoped per type
            names=names_from_parts(row.get("firstname"), row.get("middlename"), row.get("lastname"), row.get("suffix")),
            state="CO",
            title_raw=" ".join(p for p in (license_type, clean(row.get("subcategory"))) if p),
            license_class=self.license_class(license_type),
            license_number=clean(row["licensenumber"]),
            status_raw=clean(row.get("licensestatusdescription")),
            issue_date=parse_date(row.get("licensefirstissuedate"), SOCRATA_DATES),
            expiry_date=parse_date(row.get("licenseexpirationdate"), SOCRATA_DATES),
            discipline=bool(action),
            discipline_text=action or None,
            city=clean(row.get("city")) or None,
            address_state=clean(row.get("state")) or None,
            raw={**row, "verify_url": link.get("url") if isinstance(link, dict) else None},
        )

    def sync(self) -> Iterator[NormalRecord]:
        pending: NormalRecord | None = None
        for record in super().sync():
            if pending is not None and pending.record_key == record.record_key:
                pending = _merge_cases(pending, record)
                continue
            if pending is not None:
                yield pending
            pending = record
        if pending is not None:
            yield pending


def _merge_cases(first: NormalRecord, second: NormalRecord) -> NormalRecord:
    """One license, two discipline cases: keep the license, join the case texts."""
    texts = [t for t in (first.discipline_text, second.discipline_text) if t]
    first.discipline = first.discipline or second.discipline
    first.discipline_text = "; ".join(dict.fromkeys(texts)) or None
    cases = first.raw.setdefault("cases", [])
    cases.append({k: second.raw.get(k) for k in ("programaction", "disciplineeffectivedate", "casenumber")})
    return first
