"""Counseling Compact privileges through CompactConnect's public provider query (no auth).

``POST /v1/public/compacts/coun/providers/query`` by family and given name (page size <= 100, cursor paging
via ``pagination.lastKey``), then ``GET /v1/public/compacts/coun/providers/{providerId}`` for the privileges.
Each privilege is one record: kind compact_privilege, ``state`` = the privilege state, ``home_state`` = the
home license state, ``license_number`` = the home license number it rests on. The production host and the
detail shape (``privileges`` list) are UNCONFIRMED (reference, compacts-and-telehealth.md 1.2).
"""

from collections.abc import Iterator
from typing import Any

from directory.boards.base import LookupQuery, NormalRecord, Source, clean, names_from_parts, parse_date
from directory.boards.http import build_url, get_json
from directory.errors import SourceError
from directory.names import parse_name
from directory.vocab import LicenseClass, RecordKind

PAGE_SIZE = 100


class CounselingCompact(Source):
    name = "counseling_compact"

    @property
    def compact(self) -> str:
        return self.info.options.get("compact", "coun")

    def _json(self, path: str, payload: Any = None) -> Any:
        url = build_url(self.base_url, path)
        data = get_json(self.info.name, url, settings=self.settings, timeout=self.timeout,
                        method="POST" if payload is not None else "GET", payload=payload)
        if not isinstance(data, dict):
            raise SourceError(f"{self.info.name}: garbage: expected a JSON object from {url}")
        return data

    def providers(self, family: str, given: str) -> Iterator[dict[str, Any]]:
        last_key = None
        while True:
            pagination: dict[str, Any] = {"pageSize": PAGE_SIZE}
            if last_key:
                pagination["lastKey"] = last_key
            page = self._json(f"/v1/public/compacts/{self.compact}/providers/query",
                              {"query": {"familyName": family, "givenName": given}, "pagination": pagination})
            providers = page.get("providers")
            if not isinstance(providers, list):
                raise SourceError(f"{self.info.name}: garbage: no 'providers' list in the query answer")
            yield from providers
            last_key = (page.get("pagination") or {}).get("lastKey")
            if not last_key:
                return

    def lookup(self, queries: list[LookupQuery]) -> Iterator[tuple[LookupQuery, NormalRecord]]:
        for query in queries:
            parsed = parse_name(query.name)
            if not parsed.family:
                continue
            seen = set()
            for provider in self.providers(parsed.family, parsed.given):
                provider_id = clean(provider.get("providerId"))
                if not provider_id or provider_id in seen:
                    continue
                seen.add(provider_id)
                detail = self._json(f"/v1/public/compacts/{self.compact}/providers/{provider_id}")
                for privilege in detail.get("privileges") or []:
                    yield query, self.to_record(detail, privilege)

    def to_record(self, provider: dict[str, Any], privilege: dict[str, Any]) -> NormalRecord:
        state = clean(privilege.get("jurisdiction")).upper()
        home = (clean(privilege.get("licenseJurisdiction")) or clean(provider.get("licenseJurisdiction"))).upper()
        provider_id = clean(provider.get("providerId"))
        return self.record(
            record_key=clean(privilege.get("privilegeId")) or f"{provider_id}|{state}",
            names=names_from_parts(provider.get("givenName"), provider.get("middleName"), provider.get("familyName")),
            kind=RecordKind.COMPACT_PRIVILEGE, state=state or None, home_state=home or None,
            title_raw=clean(privilege.get("licenseType") or provider.get("licenseType")) or None,
            license_class=LicenseClass.PROFESSIONAL_COUNSELOR,
            license_number=clean(privilege.get("licenseNumber") or provider.get("licenseNumber")) or None,
            status_raw=clean(privilege.get("status")),
            issue_date=parse_date(privilege.get("dateOfIssuance")),
            expiry_date=parse_date(privilege.get("dateOfExpiration")),
            source_url=build_url(self.info.public_url, f"/v1/public/compacts/{self.compact}/providers/{provider_id}"),
            raw={"provider": {k: v for k, v in provider.items() if k != "privileges"}, "privilege": privilege},
        )
