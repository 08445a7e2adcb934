"""schema.org data embedded in a page (JSON-LD and microdata via extruct), read from the already-parsed tree."""

import copy
from dataclasses import dataclass, field
from typing import Any

from extruct.jsonld import JsonLdExtractor
from extruct.w3cmicrodata import LxmlMicrodataExtractor
from lxml import etree

from directory.extraction.document import Document

ORGANIZATION_TYPES = frozenset(
    {
        "Organization", "LocalBusiness", "MedicalClinic", "MedicalBusiness", "MedicalOrganization",
        "ProfessionalService", "Psychiatric", "HealthAndBeautyBusiness", "Physiotherapy", "Hospital",
        "MentalHealthBusiness", "Corporation", "NGO", "Dentist", "Optician", "Pharmacy", "PsychologicalTreatment",
    }
)
PERSON_TYPES = frozenset({"Person", "Physician", "IndividualPhysician", "Patient"})


@dataclass
class StructuredData:
    organizations: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)


def _types(item: dict[str, Any]) -> set[str]:
    raw = item.get("@type") or item.get("type") or []
    values = raw if isinstance(raw, list) else [raw]
    return {str(value).rsplit("/", 1)[-1] for value in values}


def _flatten(node: Any, out: list[dict[str, Any]]) -> None:
    """Every dict in a JSON-LD tree (@graph, employee, member, founder...), microdata items made flat."""
    if isinstance(node, list):
        for child in node:
            _flatten(child, out)
        return
    if not isinstance(node, dict):
        return
    if "properties" in node and "type" in node:  # extruct microdata shape
        flat = {"@type": node["type"], **node["properties"]}
        out.append(flat)
        for value in node["properties"].values():
            _flatten(value, out)
        return
    out.append(node)
    for value in node.values():
        if isinstance(value, (dict, list)):
            _flatten(value, out)


def _microdata(document: Document) -> list[dict[str, Any]]:
    try:
        return list(LxmlMicrodataExtractor().extract_items(document.tree, document.url or ""))
    except ValueError:  # extruct's cleaner rejects some hostile text; the page's text is still read
        return []


def read_structured(document: Document) -> StructuredData:
    data = StructuredData()
    if document.tree is None:
        return data
    items: list[dict[str, Any]] = []
    extractor = JsonLdExtractor()
    for script in document.tree.iterfind(".//script[@type='application/ld+json']"):
        holder = etree.Element("html")  # one script at a time: a broken block must not hide the good ones
        holder.append(copy.copy(script))
        try:
            _flatten(extractor.extract_items(holder), items)
        except ValueError:  # malformed JSON-LD is common on real sites; the page's text is still read
            continue
    if document.tree.find(".//*[@itemscope]") is not None:
        _flatten(_microdata(document), items)
    for item in items:
        kinds = _types(item)
        if kinds & PERSON_TYPES:
            data.people.append(item)
        elif kinds & ORGANIZATION_TYPES:
            data.organizations.append(item)
    return data


def text_of(value: Any) -> str | None:
    """A schema.org value as one string ('name' may be a string, a list or a nested object)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list) and value:
        return text_of(value[0])
    if isinstance(value, dict):
        return text_of(value.get("name") or value.get("@value"))
    return None


def texts_of(value: Any) -> list[str]:
    if isinstance(value, list):
        return [text for item in value if (text := text_of(item))]
    text = text_of(value)
    return [text] if text else []
