"""The stable JSON shape of `kapdir extract` (documented in docs/extract-json.md)."""

from pathlib import Path
from typing import Any

from directory.errors import KapdirError
from directory.extraction.page import extract_page
from directory.extraction.types import PageFacts

SUPPORTED_SUFFIXES = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain"}


def facts_to_json(facts: PageFacts) -> dict[str, Any]:
    """PageFacts (or SiteFacts) as the documented JSON object."""
    return {
        "url": facts.url,
        "practice_name": facts.practice_name,
        "clinicians": [
            {
                "name": clinician.name,
                "credentials": [cred.code for cred in clinician.credentials],
                "npi": clinician.npi,
                "licenses": [{"code": cred.code, "state": cred.state, "number": cred.license_number}
                             for cred in clinician.credentials if cred.license_number],
            }
            for clinician in facts.clinicians
        ],
        "states": [
            {"state": state.state, "in_person": state.in_person, "virtual": state.virtual}
            for state in sorted(facts.states, key=lambda state: state.state)
        ],
        "cities": [{"city": city.city, "state": city.state} for city in facts.cities],
        "routes": list(facts.routes),
        "group_or_retreat": facts.group_or_retreat,
        "therapy_included": facts.therapy_included,
        "medical_partner": facts.medical_partner,
        "prices_usd": [price.amount_usd for price in facts.prices],
        "phones": list(facts.phones),
        "emails": list(facts.emails),
        "evidence": [
            {"field": item.field, "value": item.value, "snippet": item.snippet} for item in facts.evidence
        ],
    }


def extract_file(path: str | Path, url: str | None = None) -> dict[str, Any]:
    """`kapdir extract PATH [--url URL]`: read an .html/.htm/.txt file and return the JSON object."""
    path = Path(path)
    if not path.exists():
        raise KapdirError(f"no such file: {path}")
    if path.is_dir():
        raise KapdirError(f"{path} is a directory; give an .html, .htm or .txt file")
    content_type = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if content_type is None:
        raise KapdirError(f"unsupported file type {path.suffix or '(none)'!r}: give an .html, .htm or .txt file")
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise KapdirError(f"cannot read {path}: {exc.strerror}") from exc
    return facts_to_json(extract_page(content, url=url, content_type=content_type))
