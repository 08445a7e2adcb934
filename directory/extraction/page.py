"""extract_page: one page (HTML or plain text) in, PageFacts out. Parses once; every extractor shares the result."""

from pathlib import PurePosixPath
from urllib.parse import urlsplit

from directory.extraction import naming
from directory.extraction.contact import extract_contact, phones_in
from directory.extraction.document import Document, parse_html, parse_text
from directory.extraction.domains import compact, domain_labels, spells_site
from directory.extraction.geography import STATE_CODES, normalise_state
from directory.extraction.market import market_page
from directory.extraction.naming import practice_name
from directory.extraction.offerings import _flags, _heading_kind, extract_offer
from directory.extraction.pdf import pdf_text
from directory.extraction.people import extract_people, given_name, person_key
from directory.extraction.places import _has_cue, _mode_of, _state_tokens, apply_in_clinic_routes, extract_places
from directory.extraction.structured import StructuredData, read_structured, text_of, texts_of
from directory.extraction.types import AddressFact, CityFact, Evidence, PageFacts, StateFact
from directory.names import name_key


def is_plain_text(url: str | None, content_type: str | None) -> bool:
    if content_type:
        return content_type.split(";")[0].strip().lower() == "text/plain"
    if url:
        return PurePosixPath(urlsplit(url).path).suffix.lower() == ".txt"
    return False


def is_pdf(url: str | None, content_type: str | None) -> bool:
    if content_type:
        return content_type.split(";")[0].strip().lower() == "application/pdf"
    return bool(url) and PurePosixPath(urlsplit(url).path).suffix.lower() == ".pdf"


def parse(content: str | bytes, url: str | None = None, content_type: str | None = None) -> Document:
    if is_pdf(url, content_type) and isinstance(content, bytes):
        return parse_text(pdf_text(content), url)  # KapdirError if it is not a readable PDF
    if is_plain_text(url, content_type):
        return parse_text(content, url)
    return parse_html(content, url)


def _structured_places(facts: PageFacts, structured: StructuredData) -> None:
    """schema.org PostalAddress (an office: in person there) and areaServed (a state served)."""
    known = {state.state: state for state in facts.states}
    for item in structured.organizations + structured.people:
        addresses = item.get("address")
        for address in addresses if isinstance(addresses, list) else [addresses]:
            if not isinstance(address, dict):
                continue
            state = normalise_state(text_of(address.get("addressRegion")))
            city = text_of(address.get("addressLocality"))
            if not state:
                continue
            facts.addresses.append(
                AddressFact(text_of(address.get("streetAddress")), city, state, text_of(address.get("postalCode")))
            )
            if city and all(c.city.lower() != city.lower() or c.state != state for c in facts.cities):
                facts.cities.append(CityFact(city=city, state=state))
            if state in known:
                known[state].in_person = True
            else:
                known[state] = StateFact(state=state, in_person=True, virtual=None)
                facts.states.append(known[state])
            facts.evidence.append(Evidence("states", {"state": state, "in_person": True, "virtual": None},
                                           f"schema.org address: {city}, {state}", facts.url))
        for area in texts_of(item.get("areaServed")):
            state = normalise_state(area)
            if state in STATE_CODES and state not in known:
                known[state] = StateFact(state=state)
                facts.states.append(known[state])
                facts.evidence.append(Evidence("states", {"state": state, "in_person": None, "virtual": None},
                                               f"schema.org areaServed: {area}", facts.url))


def extract_document(document: Document) -> PageFacts:
    structured = read_structured(document)
    market = market_page(document)  # a cost guide: its prices and priced routes are the market's, not the practice's
    contact = extract_contact(document, structured, market)
    clinicians, people_evidence = extract_people(document, structured)
    given_names = frozenset(given_name(clinician.name) for clinician in clinicians)
    offer = extract_offer(document, market)
    places = extract_places(document, given_names, partner=offer.medical_partner)
    apply_in_clinic_routes(places, [item for item in offer.evidence if item.value in offer.routes])
    if offer.medical_partner and spells_site(offer.medical_partner, domain_labels(document.url)):
        offer.medical_partner = None  # "the Joyful Path Care Team" on joyfulpath.com: the practice, not a partner
    name, name_snippet = practice_name(document, structured, exclude=(offer.medical_partner or "",))
    name_evidence = [Evidence("practice_name", name, name_snippet, document.url)] if name else []
    if name and (brand := [c for c in clinicians if not c.credentials and " " not in c.name
                           and compact(c.name) == compact(name)]):
        # "Halverline offers ketamine therapy": the one-word practice speaking, not a person called Halverline
        clinicians = [c for c in clinicians if c not in brand]
        people_evidence = [item for item in people_evidence
                           if not (isinstance(item.value, dict) and item.value.get("name") in {c.name for c in brand})]
    facts = PageFacts(
        url=document.url,
        practice_name=name,
        clinicians=clinicians,
        states=places.states,
        cities=places.cities,
        addresses=places.addresses,
        routes=offer.routes,
        settings=offer.settings,
        group_or_retreat=offer.group_or_retreat,
        therapy_included=offer.therapy_included,
        medical_partner=offer.medical_partner,
        prices=contact.prices,
        insurance=offer.insurance,
        phones=contact.phones,
        emails=contact.emails,
        links=contact.links,
        evidence=name_evidence + contact.evidence + people_evidence + places.evidence + offer.evidence,
        text=document.text,
    )
    _structured_places(facts, structured)
    if facts.medical_partner and _is_in_house(facts.medical_partner, people_evidence, offer.evidence):
        facts.medical_partner = None  # "prescribed by Dr. Nwosu", who is on this practice's own team
    return facts


def _is_in_house(partner: str, people: list[Evidence], offer: list[Evidence]) -> bool:
    """The named prescriber is on the practice's own team: the page names them elsewhere than where it names
    the partner (a named outside prescriber is listed among the clinicians too, from that sentence alone)."""
    partner_key = name_key(partner)
    said = {item.snippet for item in offer if item.field == "medical_partner"}
    return any(
        partner_key in {name_key(item.value["name"]), person_key(item.value["name"])[1]} and item.snippet not in said
        for item in people if isinstance(item.value, dict)
    )


def clear_sentence_caches() -> None:
    """Forget what was learned about sentences seen before (the caches only save time on boilerplate that
    repeats across a site's pages; benchmarks clear them so each round starts cold)."""
    _flags.cache_clear()
    _heading_kind.cache_clear()
    _mode_of.cache_clear()
    _has_cue.cache_clear()
    _state_tokens.cache_clear()
    phones_in.cache_clear()
    naming.is_generic.cache_clear()
    naming._acceptable.cache_clear()


def extract_page(content: str | bytes, url: str | None = None, content_type: str | None = None) -> PageFacts:
    """Facts from one page: HTML (default), plain text (content_type text/plain or a .txt URL) or PDF bytes
    (application/pdf or a .pdf URL; KapdirError if unreadable)."""
    return extract_document(parse(content, url, content_type))
