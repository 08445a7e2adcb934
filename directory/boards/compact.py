"""Counseling Compact privileges through CompactConnect's public provider query (no auth).

``POST /v1/public/compacts/coun/providers/query`` by family and given name (page size <= 100, cursor paging
via ``pagination.lastKey``), then ``GET /v1/public/compacts/coun/providers/{providerId}`` for the privileges.
Each privilege is one record: kind compact_privilege, ``state`` = the privilege state, ``home_state`` = the
home license state. As csg-org/CompactConnect's public schemas show (docs/sources.md): public answers carry no
license number; ``status`` is active | inactive; an encumbrance is an entry in the privilege's ``adverseActions``
(discipline until its ``effectiveLiftDate``); a ``givenName`` must be at least one character (HTTP 400
otherwise), so an empty one is not sent; one failing query fails that query, not the batch.
"""

from collections.abc import Iterator
from datetime import date
from typing import Any

from directory.boards.base import LookupQuery, NormalRecord, Source, clean, names_from_parts, parse_date
from directory.boards.http import build_url, get_json
from directory.errors import SourceError
from directory.names import parse_name
from directory.vocab import LicenseClass, RecordKind

PAGE_SIZE = 100


class CounselingCompact(Source):
    name = adapter = "counseling_compact"
    options = {"compact": str}
    # docs/sources.md (CompactConnect): ProviderPublicResponseSchema and PrivilegePublicResponseSchema fields.
    fields_expected = frozenset({"provider.providerId", "provider.givenName", "provider.familyName",
                                 "privilege.jurisdiction", "privilege.licenseJurisdiction", "privilege.status",
                                 "privilege.privilegeId", "privilege.dateOfExpiration", "privilege.adverseActions"})
    fields_known = frozenset({
        "provider", "privilege",
        *(f"provider.{k}" for k in ("type", "dateOfUpdate", "compact", "licenseJurisdiction",
                                     "currentHomeJurisdiction", "licenseStatus", "compactEligibility", "npi",
                                     "middleName", "suffix", "privilegeJurisdictions")),
        *(f"privilege.{k}" for k in ("type", "providerId", "compact", "licenseType", "dateOfIssuance",
                                      "dateOfRenewal", "dateOfUpdate", "administratorSetStatus", "activeSince")),
    })

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
        query = {"familyName": family, **({"givenName": given} if given.strip() else {})}
        while True:
            pagination: dict[str, Any] = {"pageSize": PAGE_SIZE}
            if last_key:
                pagination["lastKey"] = last_key
            page = self._json(f"/v1/public/compacts/{self.compact}/providers/query",
                              {"query": query, "pagination": pagination})
            providers = page.get("providers")
            if not isinstance(providers, list):
                raise SourceError(f"{self.info.name}: garbage: no 'providers' list in the query answer")
            yield from providers
            last_key = (page.get("pagination") or {}).get("lastKey")
            if not last_key:
                return

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.errors: dict[LookupQuery, str] = {}

    def check_records(self, limit: int) -> Iterator[NormalRecord]:
        """Live check: one query page of at most ``limit`` providers, and the first one's privileges."""
        parsed = parse_name(self.probe_query().name)
        page = self._json(f"/v1/public/compacts/{self.compact}/providers/query",
                          {"query": {"familyName": parsed.family}, "pagination": {"pageSize": limit}})
        providers = page.get("providers")
        if not isinstance(providers, list):
            raise SourceError(f"{self.info.name}: garbage: no 'providers' list in the query answer")
        for provider in providers[:1]:
            detail = self._json(f"/v1/public/compacts/{self.compact}/providers/{clean(provider.get('providerId'))}")
            for privilege in (detail.get("privileges") or [])[:limit]:
                yield self.to_record(detail, privilege)

    def lookup(self, queries: list[LookupQuery]) -> Iterator[tuple[LookupQuery, NormalRecord]]:
        self.errors = {}
        asked = 0
        for query in queries:
            parsed = parse_name(query.name)
            if not parsed.family:
                continue
            asked += 1
            try:  # one query's records are yielded only once all of them are read
                found = list(self._privileges(query, parsed.family, parsed.given))
            except SourceError as exc:
                self.errors[query] = str(exc)
                continue
            yield from found
        if asked and len(self.errors) == asked:  # nothing answered: the source itself failed
            raise SourceError(next(iter(self.errors.values())))

    def _privileges(self, query: LookupQuery, family: str, given: str) -> Iterator[tuple[LookupQuery, NormalRecord]]:
        seen = set()
        for provider in self.providers(family, given):
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
        in_force = [a for a in privilege.get("adverseActions") or [] if isinstance(a, dict) and _in_force(a)]
        return self.record(
            record_key=clean(privilege.get("privilegeId")) or f"{provider_id}|{state}",
            names=names_from_parts(provider.get("givenName"), provider.get("middleName"), provider.get("familyName"),
                                   provider.get("suffix")),
            kind=RecordKind.COMPACT_PRIVILEGE, state=state or None, home_state=home or None,
            title_raw=clean(privilege.get("licenseType")) or None,
            license_class=LicenseClass.PROFESSIONAL_COUNSELOR,
            license_number=None,  # never in a public answer
            npi=clean(provider.get("npi")) or None,
            status_raw=clean(privilege.get("status")),
            issue_date=parse_date(privilege.get("dateOfIssuance")),
            expiry_date=parse_date(privilege.get("dateOfExpiration")),
            discipline=bool(in_force),
            discipline_text="; ".join(_describe(a) for a in in_force) or None,
            source_url=build_url(self.info.public_url, f"/v1/public/compacts/{self.compact}/providers/{provider_id}"),
            raw={"provider": {k: v for k, v in provider.items() if k != "privileges"}, "privilege": privilege},
        )


def _in_force(action: dict[str, Any]) -> bool:
    """An adverse action (encumbrance) counts until its lift date has passed."""
    lifted = parse_date(action.get("effectiveLiftDate"))
    return lifted is None or lifted > date.today()


def _describe(action: dict[str, Any]) -> str:
    against = clean(action.get("actionAgainst")) or "privilege"
    since = clean(action.get("effectiveStartDate"))
    where = clean(action.get("jurisdiction")).upper()
    return f"adverse action against the {against}" + (f" ({where})" if where else "") + (
        f" since {since}" if since else "")
