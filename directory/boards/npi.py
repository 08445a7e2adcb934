"""NPPES NPI Registry API v2.1: identity only (an NPI is not a license), 200 results per request, skip <= 1000.

Both response shapes are read: the older one (``number`` an integer, epochs in seconds, ``basic.gender``) and
the 2026 one (``number`` a string, epochs in milliseconds as strings, ``basic.sex``); ``"--"`` prefixes and
suffixes are empty; a top-level ``Errors`` array or ``result_count: 0`` is a miss (reference, nppes.md).
"""

from collections.abc import Iterator
from typing import Any

from directory.boards.base import LookupQuery, NormalRecord, Source, clean, names_from_parts, parse_date
from directory.boards.http import build_url, get_json
from directory.errors import SourceError
from directory.names import parse_name
from directory.vocab import LicenseClass, RecordKind

PAGE = 200
MAX_SKIP = 1000


def _blank(value: Any) -> str:
    text = clean(value)
    return "" if text == "--" else text


class NpiRegistry(Source):
    name = adapter = "npi"
    options = {"taxonomy_prefixes": dict}
    per_person = True  # identity: one search per person, whatever the claim's state and class
    # docs/sources.md (NPPES): the fields read, and every field the public captures show.
    fields_expected = frozenset({"number", "basic.first_name", "basic.last_name", "basic.status", "taxonomies.code",
                                 "taxonomies.desc", "taxonomies.license", "taxonomies.state", "taxonomies.primary"})
    fields_known = frozenset({
        "basic", "taxonomies", "identifiers", "taxonomies.taxonomy_group",
        *(f"basic.{k}" for k in ("certification_date", "credential", "enumeration_date", "middle_name",
                                  "name_prefix", "name_suffix", "last_updated", "sex", "gender", "name",
                                  "sole_proprietor")),
        *(f"identifiers.{k}" for k in ("code", "desc", "identifier", "issuer", "state")),
    })

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.misses: dict[LookupQuery, str] = {}

    def _search(self, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        for skip in range(0, MAX_SKIP + 1, PAGE):
            url = build_url(self.base_url, "/api/", {"version": "2.1", **params, "limit": PAGE, "skip": skip})
            page = get_json(self.info.name, url, settings=self.settings, timeout=self.timeout)
            if not isinstance(page, dict):
                raise SourceError(f"{self.info.name}: garbage: expected a JSON object from {url}")
            if page.get("Errors"):
                raise LookupMiss("; ".join(str(e.get("description", e)) for e in page["Errors"]))
            results = page.get("results") or []
            if not isinstance(results, list):
                raise SourceError(f"{self.info.name}: garbage: 'results' is not a list")
            yield from results
            if len(results) < PAGE:
                return

    def check_records(self, limit: int) -> Iterator[NormalRecord]:
        """Live check: one request of at most ``limit`` results."""
        query = self.probe_query()
        parsed = parse_name(query.name)
        url = build_url(self.base_url, "/api/", {"version": "2.1", "enumeration_type": "NPI-1", "limit": limit,
                                                 "last_name": parsed.family, "first_name": parsed.given,
                                                 "state": query.state})
        page = get_json(self.info.name, url, settings=self.settings, timeout=self.timeout)
        if not isinstance(page, dict) or not isinstance(page.get("results", []), list):
            raise SourceError(f"{self.info.name}: garbage: expected a JSON object with 'results' from {url}")
        for result in page.get("results", [])[:limit]:
            yield self.to_record(result)

    def lookup(self, queries: list[LookupQuery]) -> Iterator[tuple[LookupQuery, NormalRecord]]:
        self.misses = {}
        for query in queries:
            parsed = parse_name(query.name)
            if not parsed.family:
                self.misses[query] = "no family name to search by"
                continue
            base = {"enumeration_type": "NPI-1", "last_name": parsed.family, "first_name": parsed.given}
            try:
                results = list(self._search({**base, "state": query.state.upper()}))
                if not results:  # licensed in the state but practising from elsewhere
                    results = list(self._search(base))
            except LookupMiss as miss:
                self.misses[query] = str(miss)
                continue
            for result in results:
                yield query, self.to_record(result)

    def taxonomy_class(self, taxonomy: dict[str, Any]) -> LicenseClass:
        code = clean(taxonomy.get("code"))
        for prefix, license_class in self.info.options.get("taxonomy_prefixes", {}).items():
            if code.startswith(prefix):
                return LicenseClass(license_class)
        return self.license_class(taxonomy.get("desc"))

    def to_record(self, result: dict[str, Any]) -> NormalRecord:
        basic = result.get("basic") or {}
        number = str(result.get("number", "")).strip()
        taxonomies = [t for t in result.get("taxonomies") or [] if isinstance(t, dict)]
        primary = next((t for t in taxonomies if t.get("primary")), taxonomies[0] if taxonomies else {})
        location = next((a for a in result.get("addresses") or [] if a.get("address_purpose") == "LOCATION"), {})
        return self.record(
            record_key=number,
            names=names_from_parts(_blank(basic.get("first_name")), _blank(basic.get("middle_name")),
                                   _blank(basic.get("last_name")), _blank(basic.get("name_suffix"))),
            kind=RecordKind.NPI, state=clean(primary.get("state")) or clean(location.get("state")) or None,
            title_raw=clean(primary.get("desc")) or None, license_class=self.taxonomy_class(primary),
            license_number=clean(primary.get("license")) or None, status_raw=clean(basic.get("status")),
            issue_date=parse_date(basic.get("enumeration_date")), npi=number,
            city=clean(location.get("city")) or None, address_state=clean(location.get("state")) or None,
            source_url=build_url(self.info.public_url, "/api/", {"version": "2.1", "number": number}),
            raw={"number": number, "basic": basic, "taxonomies": taxonomies,
                 "identifiers": result.get("identifiers") or []},
        )


class LookupMiss(Exception):
    """The registry rejected one query (its Errors array): that query is a miss, the source is fine."""
