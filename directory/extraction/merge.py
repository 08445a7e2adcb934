"""merge_site: all pages of one site into one practice. The same person across pages is one clinician;
contradictions are kept and said in plain English ("Jane Roe: team page: LCSW; bio: LMFT")."""

from collections import Counter
from dataclasses import replace
from urllib.parse import urlsplit

from directory.extraction.people import person_key
from directory.extraction.taxonomy import lookup, role_for
from directory.extraction.types import ClinicianFact, CredentialFact, PageFacts, SiteFacts, StateFact


def page_label(url: str | None, index: int, person: str | None = None) -> str:
    """A reader's name for a page: '/team' -> 'team page', '/team/jane-roe' (Jane Roe's own page) -> 'bio page'."""
    if not url:
        return f"page {index + 1}"
    path = urlsplit(url).path.strip("/")
    if not path:
        return "home page"
    last = path.rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("_", "-")
    if person and person_key(person)[1] and person_key(person)[1] in last.replace("-", "").lower():
        return "bio page"
    return f"{last} page"


def _license_codes(credentials: list[CredentialFact]) -> set[str]:
    """State license titles the page gives as titles (post-nominals, title lines), not ones only said in prose."""
    return {
        cred.code for cred in credentials
        if cred.source != "prose" and (info := lookup(cred.code)) is not None and info.is_license
    }


def _merge_clinicians(pages: list[PageFacts], discrepancies: list[str]) -> list[ClinicianFact]:
    merged: dict[tuple[str, str], ClinicianFact] = {}
    seen_on: dict[tuple[str, str], list[tuple[str, set[str]]]] = {}
    for index, page in enumerate(pages):
        for clinician in page.clinicians:
            key = person_key(clinician.name)
            current = merged.get(key)
            if current is None:
                current = merged[key] = ClinicianFact(name=clinician.name, url=clinician.url, bio=clinician.bio,
                                                      npi=clinician.npi)
            held = {cred.code: cred for cred in current.credentials}
            for cred in clinician.credentials:
                if cred.code not in held:
                    current.credentials.append(replace(cred))
                    continue
                if held[cred.code].source == "prose" and cred.source not in (None, "prose"):
                    held[cred.code].source = cred.source  # said as a title somewhere: a title
                if cred.license_number and not held[cred.code].license_number:  # from the page that prints it
                    held[cred.code].license_number, held[cred.code].state = cred.license_number, cred.state
            current.bio = current.bio or clinician.bio
            current.npi = current.npi or clinician.npi
            licenses = _license_codes(clinician.credentials)
            if licenses:
                seen_on.setdefault(key, []).append((page_label(page.url, index, clinician.name), licenses))
    for key, sightings in seen_on.items():
        classes = [{lookup(code).license_class for code in licenses} for _, licenses in sightings]
        # e.g. LCSW on one page, LMFT on another: two pages that share no profession for the same person
        if any(not (first & second) for first in classes for second in classes):
            said = "; ".join(f"{label}: {', '.join(sorted(codes))}" for label, codes in sightings)
            discrepancies.append(f"{merged[key].name}: {said}")
    for clinician in merged.values():
        clinician.role = role_for([cred.code for cred in clinician.credentials]).value
    return list(merged.values())


def _merge_states(pages: list[PageFacts], discrepancies: list[str]) -> list[StateFact]:
    merged: dict[str, StateFact] = {}
    said: dict[tuple[str, str], dict[bool, str]] = {}
    for index, page in enumerate(pages):
        for state in page.states:
            current = merged.setdefault(state.state, StateFact(state=state.state))
            for mode in ("in_person", "virtual"):
                value = getattr(state, mode)
                if value is None:
                    continue
                said.setdefault((state.state, mode), {}).setdefault(value, page_label(page.url, index))
                # A page that says "not" is a restriction; one page saying "yes" elsewhere is recorded below.
                if getattr(current, mode) is None or value is False:
                    setattr(current, mode, value)
    for (state, mode), values in said.items():
        if len(values) > 1:
            wording = "in person" if mode == "in_person" else "virtual"
            discrepancies.append(
                f"{state} {wording}: {values[True]} says yes; {values[False]} says no"
            )
    return list(merged.values())


def _first_not_none(values: list[bool | None]) -> bool | None:
    said = [value for value in values if value is not None]
    if not said:
        return None
    return False not in said  # one explicit "not" outweighs any number of general yeses


def merge_site(pages: list[PageFacts]) -> SiteFacts:
    """One practice from all of its pages."""
    discrepancies: list[str] = []
    names = Counter(page.practice_name for page in pages if page.practice_name)
    site = SiteFacts(url=pages[0].url if pages else None, discrepancies=discrepancies)
    site.practice_name = names.most_common(1)[0][0] if names else None
    site.clinicians = _merge_clinicians(pages, discrepancies)
    site.states = _merge_states(pages, discrepancies)
    city_keys: set[tuple[str, str | None]] = set()
    price_keys: set[float] = set()
    for page in pages:
        for city in page.cities:
            if (city.city.lower(), city.state) not in city_keys:
                city_keys.add((city.city.lower(), city.state))
                site.cities.append(city)
        site.addresses += [address for address in page.addresses if address not in site.addresses]
        site.routes += [route for route in page.routes if route not in site.routes]
        site.settings += [setting for setting in page.settings if setting not in site.settings]
        for price in page.prices:
            if price.amount_usd not in price_keys:
                price_keys.add(price.amount_usd)
                site.prices.append(price)
        site.phones += [phone for phone in page.phones if phone not in site.phones]
        site.emails += [email for email in page.emails if email not in site.emails]
        site.links += [link for link in page.links if link not in site.links]
        site.evidence += page.evidence
        site.medical_partner = site.medical_partner or page.medical_partner
        site.insurance = site.insurance or page.insurance
    site.group_or_retreat = _first_not_none([page.group_or_retreat for page in pages])
    site.therapy_included = _first_not_none([page.therapy_included for page in pages])
    therapy_said = {page.therapy_included for page in pages if page.therapy_included is not None}
    if len(therapy_said) > 1:
        discrepancies.append("therapy: some pages say it is included, others that it is not")
    site.text = "\n\n".join(page.text for page in pages)
    return site
