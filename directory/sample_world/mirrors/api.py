"""API mirrors: the NPPES NPI Registry v2.1 (both response shapes) and CompactConnect's public provider query."""

import base64
import json
import uuid
import zlib

from directory.sample_world.mirrors.core import EDITION, Mirror, Request, Response, text
from directory.sample_world.mirrors.data import Entry

TAXONOMY = {"professional_counselor": "101YP2500X", "psychologist": "103TC0700X",
            "marriage_family_therapist": "106H00000X", "clinical_social_worker": "1041C0700X",
            "social_worker": "1041S0200X", "nurse_practitioner": "363LP0808X", "physician": "2084P0800X",
            "physician_assistant": "363A00000X", "registered_nurse": "163W00000X"}


def _json(payload, status: int = 200) -> Response:
    return text(json.dumps(payload), "application/json", status=status)


class NpiMirror(Mirror):
    """GET /api/?version=2.1&...: first_name/last_name with trailing '*', state, number, limit <= 200,
    skip <= 1000. NPIs ending in an odd digit answer in the older shape (integer number, epoch seconds,
    basic.gender and basic.name), the rest in the 2026 shape."""

    def __init__(self, entries: list[Entry]):
        super().__init__()
        self.providers = [self.provider(e) for e in entries]

    @staticmethod
    def provider(entry: Entry) -> dict:
        record, clinician = entry.record, entry.clinician
        licenses = [r for r in (clinician.records if clinician else []) if r.kind == "license"]
        same_class = [r for r in licenses if r.license_class == record.license_class]
        taxonomies = [{"code": TAXONOMY.get(record.license_class, "101Y00000X"), "desc": record.title,
                       "license": next((r.number for r in same_class if r.state == record.state), None),
                       "primary": True, "state": record.state, "taxonomy_group": ""}]
        for other in same_class:
            if other.state != record.state:
                taxonomies.append({"code": taxonomies[0]["code"], "desc": record.title, "license": other.number,
                                   "primary": False, "state": other.state, "taxonomy_group": ""})
        return {"entry": entry, "number": record.number, "taxonomies": taxonomies}

    def render(self, provider: dict) -> dict:
        entry = provider["entry"]
        record = entry.record
        old = int(provider["number"][-1]) % 2 == 1
        enumerated = record.issued.isoformat() if record.issued else "2010-01-01"
        basic = {"first_name": entry.given.upper(), "last_name": entry.family.upper(),
                 "middle_name": entry.middle.upper(), "name_prefix": "--", "name_suffix": entry.suffix.upper() or "--",
                 "credential": "", "sole_proprietor": "YES", "enumeration_date": enumerated,
                 "last_updated": enumerated, "certification_date": enumerated, "status": record.status_raw}
        address = {"address_1": "100 MAIN ST", "address_2": "", "address_purpose": "LOCATION", "address_type": "DOM",
                   "city": (entry.city or "").upper(), "country_code": "US", "country_name": "United States",
                   "postal_code": "000000000", "state": record.state, "telephone_number": "555-555-0100"}
        result = {"addresses": [{**address, "address_purpose": "MAILING"}, address], "basic": basic,
                  "endpoints": [], "enumeration_type": "NPI-1", "identifiers": [], "other_names": [],
                  "practiceLocations": [], "taxonomies": provider["taxonomies"]}
        if old:
            basic.update({"gender": "F", "name": f"{entry.family.upper()} {entry.given.upper()}"})
            return {**result, "number": int(provider["number"]), "created_epoch": 1183680000,
                    "last_updated_epoch": 1183680000}
        basic["sex"] = "F"
        return {**result, "number": provider["number"], "created_epoch": "1638292999000",
                "last_updated_epoch": "1638292999000"}

    def handle(self, request: Request) -> Response:
        if request.path not in ("/api/", "/api"):
            return text("Not Found", status=404)
        q = request.query
        if q.get("version") not in ("2.0", "2.1"):
            return _json({"Errors": [{"description": "Version is required and must be 2.0 or 2.1",
                                      "field": "version", "number": "09"}]})
        try:
            limit, skip = int(q.get("limit") or 10), int(q.get("skip") or 0)
        except ValueError:
            return _json({"Errors": [{"description": "limit and skip must be numbers", "field": "limit"}]})
        if not 1 <= limit <= 200 or not 0 <= skip <= 1000:
            return _json({"Errors": [{"description": "Field limit must be 1-200 and skip 0-1000",
                                      "field": "skip", "number": "10"}]})
        if not any(q.get(k) for k in ("number", "last_name", "first_name", "organization_name", "city", "state")):
            return _json({"Errors": [{"description": "No valid search criteria provided", "field": "generic"}]})

        def matches(value: str, pattern: str | None) -> bool:
            if not pattern:
                return True
            pattern = pattern.upper()
            return value.upper().startswith(pattern[:-1]) if pattern.endswith("*") else value.upper() == pattern

        hits = [p for p in self.providers if matches(p["number"], q.get("number"))
                and matches(p["entry"].family, q.get("last_name")) and matches(p["entry"].given, q.get("first_name"))
                and (not q.get("state") or q["state"].upper() in {t["state"] for t in p["taxonomies"]})]
        page = [self.render(p) for p in hits[skip:skip + limit]]
        return _json({"result_count": len(page), "results": page})


class CompactMirror(Mirror):
    """CompactConnect public endpoints for the Counseling Compact ("coun") in the shape of csg-org/CompactConnect's
    public schemas (ProviderPublicResponseSchema, PrivilegePublicResponseSchema; fixture
    tests/boards/fixtures/compactconnect): provider query (page size <= 100, cursor paging through a base64
    lastKey, givenName at least one character), provider detail with privileges (404 without any), and the live
    jurisdictions. No license number in any public answer; encumbrances are ``adverseActions``."""

    live = ["az", "mn"]

    def __init__(self, entries: list[Entry]):
        super().__init__()
        self.providers: dict[str, dict] = {}
        for entry in entries:
            record = entry.record
            provider_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"coun/{entry.full_name}/{record.home_state}"))
            home = (record.home_state or "").lower()
            provider = self.providers.setdefault(provider_id, {
                "type": "provider", "providerId": provider_id, "givenName": entry.given,
                **({"middleName": entry.middle} if entry.middle else {}), "familyName": entry.family,
                "licenseJurisdiction": home, "currentHomeJurisdiction": home, "compact": "coun",
                "licenseStatus": "active", "compactEligibility": "eligible", "privilegeJurisdictions": [],
                "dateOfUpdate": EDITION.isoformat(), "privileges": []})
            provider["privilegeJurisdictions"].append(record.state.lower())
            issued = record.issued.isoformat() + "T12:00:00+00:00" if record.issued else "2025-10-01T12:00:00+00:00"
            adverse = ([{"type": "adverseAction", "compact": "coun", "providerId": provider_id,
                         "jurisdiction": record.state.lower(), "licenseTypeAbbreviation": "lpc",
                         "licenseType": record.title, "actionAgainst": "privilege",
                         "effectiveStartDate": "2026-06-01", "creationDate": "2026-06-01T12:00:00+00:00",
                         "adverseActionId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"aa/{provider_id}/{record.state}")),
                         "dateOfUpdate": "2026-06-01T12:00:00+00:00"}] if record.discipline else [])
            provider["privileges"].append({
                "type": "privilege", "providerId": provider_id, "compact": "coun",
                "jurisdiction": record.state.lower(), "licenseJurisdiction": home, "licenseType": record.title,
                "dateOfIssuance": issued, "dateOfRenewal": issued, "dateOfUpdate": issued,
                "dateOfExpiration": record.expires.isoformat() if record.expires else None,
                "adverseActions": adverse, "administratorSetStatus": "active",
                "privilegeId": f"LPC-{record.state.upper()}-{zlib.crc32(provider_id.encode()) % 100000}",
                "status": record.status_raw, "activeSince": issued})

    def handle(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        if path == "/v1/public/jurisdictions/live":
            return _json({"coun": self.live})
        prefix = "/v1/public/compacts/coun/providers"
        if path == f"{prefix}/query" and request.method == "POST":
            return self.query(request)
        if path.startswith(prefix + "/") and request.method == "GET":
            provider = self.providers.get(path.removeprefix(prefix + "/"))
            if not provider or not provider["privileges"]:
                return _json({"message": "Provider not found"}, 404)
            return _json(provider)
        return _json({"message": "Missing Authentication Token"}, 403)

    def query(self, request: Request) -> Response:
        try:
            body = json.loads(request.body or b"{}")
        except json.JSONDecodeError:
            return _json({"message": "Invalid request body"}, 400)
        query, pagination = body.get("query") or {}, body.get("pagination") or {}
        for key in ("givenName", "familyName"):  # QuerySchema: Length(min=1, max=100)
            if key in query and not 1 <= len(str(query[key]).strip()) <= 100:
                return _json({"message": f"Invalid request: {{'query': {{'{key}': ['Length must be between 1 "
                                         f"and 100.']}}}}"}, 400)
        if "givenName" in query and "familyName" not in query:
            return _json({"message": "familyName is required if givenName is provided"}, 400)
        size = int(pagination.get("pageSize") or 100)
        if not 1 <= size <= 100:
            return _json({"message": "pageSize must be between 1 and 100"}, 400)
        start = 0
        if pagination.get("lastKey"):
            start = json.loads(base64.b64decode(pagination["lastKey"]))["search_after"][0]

        def fits(p: dict) -> bool:
            return ((not query.get("familyName") or p["familyName"].lower() == query["familyName"].strip().lower())
                    and (not query.get("givenName") or p["givenName"].lower() == query["givenName"].strip().lower())
                    and (not query.get("jurisdiction") or p["licenseJurisdiction"] == query["jurisdiction"].lower()))

        hits = [{k: v for k, v in p.items() if k != "privileges"} for p in self.providers.values() if fits(p)]
        page = hits[start:start + size]
        more = start + size < len(hits)
        last_key = base64.b64encode(json.dumps({"search_after": [start + size]}).encode()).decode() if more else None
        return _json({"providers": page, "pagination": {"pageSize": size, "lastKey": last_key,
                                                        "prevLastKey": pagination.get("lastKey")},
                      "query": query, "sorting": {"key": "familyName", "direction": "ascending"}})


FACTORIES = {
    "npi": lambda world, entries: NpiMirror(entries),
    "counseling_compact": lambda world, entries: CompactMirror(entries),
}
