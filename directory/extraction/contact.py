"""Phones (E.164), emails, prices in USD and outbound links of interest (the practice name: naming.py)."""

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import phonenumbers

from directory.extraction.document import Document
from directory.extraction.domains import compact, domain_labels
from directory.extraction.keywords import gated
from directory.extraction.market import market_clause, market_page, market_sentence_words, speaks_for_itself
from directory.extraction.offerings import KNOWN_PARTNERS
from directory.extraction.structured import StructuredData, text_of
from directory.extraction.types import Evidence, PriceFact

# Every pattern here starts only at a token boundary and has bounded repeats (local part <= 64, labels <= 63, as
# RFC 5321 allows), so a hostile page ("a.a.a.a..." for a megabyte) costs linear time, not quadratic.
EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,6}\.[A-Za-z]{2,24}\b"
)
_OBFUSCATED_AT = re.compile(r"[\[(]\s?at\s?[\])]", re.I)  # the cheap pre-check: "name [at] host (dot) com"
_OBFUSCATED_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])([A-Za-z0-9._%+\-]{1,64})\s?[\[(]\s?at\s?[\])]\s?"
    r"([A-Za-z0-9\-]{1,63}(?:\s?[\[(]\s?dot\s?[\])]\s?[A-Za-z0-9\-]{1,63}){1,6})(?![A-Za-z0-9\-])",
    re.I,
)
_NOT_EMAIL_SUFFIX = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".css", ".js")
# "203‑555‑0147" with non-breaking hyphens, "203–555–0147" with en dashes: read as plain hyphens
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
                         "\u00a0": " ", "\u202f": " "})
_DIGIT_RUN = re.compile(r"\d(?:[\s().\-]{0,3}\d){9}")
# The phone matcher costs ~0.1 ms a sentence: a page gets it on this many sentences with a 10-digit run at most (a
# practice page has a handful; a page of digits would otherwise cost seconds).
MAX_PHONE_SENTENCES = 200
_NOT_OUR_PHONE = re.compile(r"\b(?:fax(?:ed|ing)?|crisis|lifeline|hotline|suicide|emergency|988)\b", re.I)
_NUMBER_BEFORE = re.compile(r"\d{3}[\s.)\-]*\d{4}")
_PRICE = re.compile(
    r"(?:\$|US\$|USD\s?)\s?(?P<amount>\d{1,3}(?:,\d{3}){1,4}|\d{1,9})(?P<cents>\.\d{1,2})?(?!\d)"
    r"(?P<scale>\s?(?:k\b|million|billion|M\b|B\b))?"
    r"|(?<!\d)(?P<words>\d{2,5})\s(?:US\s)?dollars\b",
    re.I,
)
_RANGE_END = re.compile(r"\s?[-–—]\s?(\d{2,3}(?:,\d{3})?)(?![\d%,])")  # "$400-600 each": 600 is a price too
# "the MD will charge around $300", "depends on the prescriber's fees ($250-300)": someone else's price
_OUTSIDE_FEE = re.compile(
    r"(?<!our\s)\b(?:MD|physician|prescriber|provider|psychiatrist|doctor)s?['’]?s?\s+(?:will\s+)?(?:charges?|fees?)\b"
    r"[^.;]{0,30}$",
    re.I,
)
# "Journey Clinical charges $250 for the medical evaluation": a prescribing service's fee on a partner therapist's page
_PARTNER_FEE = re.compile(
    r"\b(?:" + "|".join(re.escape(name) for name in KNOWN_PARTNERS) + r")['’]?s?\s+(?:will\s+)?(?:charges?|bills?|"
    r"fees?)\b[^.;]{0,60}$"  # "... charges $250 for the evaluation and $150 for two doses"
)
_DISCOUNT_BEFORE = re.compile(r"\b(?:save|saving|savings\s+of|discount\s+of)\s*$", re.I)  # "(save $150)" is no price
_DISCOUNT_AFTER = re.compile(r"^\s*(?:off|discount)\b", re.I)  # "$50 off your first session"
# "a fee of $50 for a returned check", "a $100 booking fee is deducted from the cost", "$75 no-show fee": a penalty or
# a deposit toward a service, not the price of one
_NOT_A_SERVICE_PRICE_BEFORE = re.compile(
    r"\b(?:returned|bounced|NSF|no[- ]shows?|late\s+(?:cancell?ations?|arrivals?)|cancell?ations?|"
    r"missed\s+(?:appointments?|sessions?)|deposit|booking|reservation|retainer)\b"
    r"(?![^.;$]{0,40}\b(?:our|your)\b)[^.;$]{0,40}$",  # not "a deposit of our $390 consult fee": that fee is a price
    re.I,
)
_NOT_A_SERVICE_PRICE_AFTER = re.compile(
    r"^\s?(?:non-?refundable\s+)?(?:(?:late\s+)?cancell?ation|no[- ]show|late|booking|reservation|deposit|"
    r"returned[- ]check|retainer)\b",
    re.I,
)
_UNITS = (
    ("session", re.compile(r"^\s?(?:/|per|a|each)\s?(?:session|infusion|treatment|visit|dose|dosing|appointment|hour)|"
                           r"^[^.$]{0,25}\b(?:per|each|a)\s+(?:session|infusion|treatment|visit)", re.I)),
    ("package", re.compile(r"^[^.$]{0,40}\b(?:package|series|bundle|program|course|sessions\b)", re.I)),
    ("consultation", re.compile(r"^[^.$]{0,30}\b(?:consult\w*|assessment|intake|evaluation|screening)", re.I)),
)
_UNITS_BEFORE = (
    ("package", re.compile(r"\b(?:package|series|bundle|program|course)\b[^.$]{0,40}$", re.I)),
    ("consultation", re.compile(r"\b(?:consult\w*|assessment|intake|evaluation|screening)\b[^.$]{0,30}$", re.I)),
    ("session", re.compile(r"\b(?:session|infusion|treatment|dosing)\b[^.$]{0,30}$", re.I)),
)
_INTEREST = gated(re.compile(  # read on every link: the gate's substring tests first (keywords.gated)
    r"book|schedul|appointment|calendly|janeapp|simplepractice|therapyportal|intake|consult|journeyclinical|"
    r"nue\.life|mindbloom|partner|prescrib|spravato|telehealth",
    re.I,
))


@dataclass
class Contact:
    phones: list[str]
    emails: list[str]
    prices: list[PriceFact]
    links: list[str]
    evidence: list[Evidence]


def normalise_phone(text: str) -> str | None:
    """Any US way of writing a phone number -> E.164 ('+12035550147'); None if not a valid number. Idempotent."""
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# "If you are in crisis, contact your local crisis center. In <town>, contact <center> at <phone>": the line and the
# name that follow a crisis notice are someone else's
_CRISIS = re.compile(r"\b(?:crisis|emergency|hotline|lifeline|988|911)\b", re.I)
_REFERRAL = re.compile(r"\b(?:contact|call|reach|text|dial)\b", re.I)


# "If this is an emergency, call 911. To schedule, call us at <number>": the practice's own line after the notice
_OWN_LINE = re.compile(r"\b(?:us|our|we|schedule|book|appointments?|consultations?|office)\b", re.I)


def crisis_referral(previous: str, sentence: str) -> bool:
    """A sentence that sends the reader to a crisis line or another service, after (or in) a crisis notice."""
    return bool(_REFERRAL.search(sentence) and (_CRISIS.search(previous) or _CRISIS.search(sentence))
                and not _OWN_LINE.search(sentence))


@lru_cache(maxsize=4096)
def phones_in(sentence: str) -> tuple[str, ...]:
    """E.164 numbers in one sentence, without fax and crisis lines (cached: a site repeats its phone line)."""
    found = []
    for match in phonenumbers.PhoneNumberMatcher(sentence, "US", leniency=phonenumbers.Leniency.VALID):
        # the words since the number before it: "fax the form to us at <number>", not "Fax: <number> Phone: <number>"
        window = _NUMBER_BEFORE.split(sentence[max(0, match.start - 60): match.start])[-1]
        if _NOT_OUR_PHONE.search(window):
            continue  # a fax line or a crisis line, not the practice's phone
        found.append(phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164))
    return tuple(found)


def _phones(document: Document, evidence: list[Evidence]) -> list[str]:
    found: list[str] = []
    asked = 0
    for block in document.blocks:
        if not _DIGIT_RUN.search(block.text.translate(_DASHES)):
            continue  # no run of 10 digits: no phone number (the matcher is slow, so ask cheaply first)
        previous = ""
        for raw in block.sentences:
            before, previous = previous, raw
            sentence = raw.translate(_DASHES)
            if asked >= MAX_PHONE_SENTENCES or not _DIGIT_RUN.search(sentence):
                continue
            asked += 1
            if crisis_referral(before, sentence):
                continue  # the crisis line a page points to, not the practice's own
            for e164 in phones_in(sentence):
                if e164 not in found:
                    found.append(e164)
                    evidence.append(Evidence("phones", e164, sentence[:300], document.url))
    for href, text in document.links:
        if href.lower().startswith("tel:"):
            e164 = normalise_phone(href[4:])
            if e164 and e164 not in found and not _NOT_OUR_PHONE.search(text):
                found.append(e164)
                evidence.append(Evidence("phones", e164, f"tel link: {href}", document.url))
    return found


def normalise_email(text: str) -> str | None:
    email = text.strip().strip(".,;:").lower()
    if email.startswith("mailto:"):
        email = email[7:].split("?")[0]
    if not EMAIL.fullmatch(email) or email.endswith(_NOT_EMAIL_SUFFIX):
        return None
    return email


def _emails(document: Document, evidence: list[Evidence]) -> list[str]:
    found: list[str] = []
    candidates = [(m.group(0), block.text) for block in document.blocks if "@" in block.text
                  for m in EMAIL.finditer(block.text)]
    for block in document.blocks:
        if not _OBFUSCATED_AT.search(block.text):
            continue
        for match in _OBFUSCATED_EMAIL.finditer(block.text):
            domain = re.sub(r"\s*[\[(]\s*dot\s*[\])]\s*", ".", match.group(2), flags=re.I)
            candidates.append((f"{match.group(1)}@{domain}", block.text))
    candidates += [(href, f"mailto link: {href}") for href, _ in document.links if href.lower().startswith("mailto:")]
    for raw, snippet in candidates:
        email = normalise_email(raw)
        if email and email not in found:
            found.append(email)
            evidence.append(Evidence("emails", email, snippet[:300], document.url))
    return found


def parse_price(text: str) -> float | None:
    """'$1,250.00' / 'USD 450' / '300 dollars' -> 1250.0; None if not a price. Idempotent via format_price."""
    match = _PRICE.search(text)
    if not match or match.group("scale"):
        return None
    raw = match.group("amount") or match.group("words")
    amount = float(raw.replace(",", "") + (match.group("cents") or ""))
    return amount if amount > 0 else None


def format_price(amount: float) -> str:
    return f"${amount:,.2f}"


def _prices(document: Document, evidence: list[Evidence], market: bool) -> list[PriceFact]:
    """The practice's own prices; not the market's ("on average $400-$800"), nor any on a cost-guide page
    (`market`) unless said in the practice's own voice."""
    prices: list[PriceFact] = []
    seen: set[float] = set()
    seen_ends: set[str] = set()
    labels = domain_labels(document.url)
    on_partner_site = any(compact(name) in labels for name in KNOWN_PARTNERS)  # its own fees are its prices
    for block in document.blocks:
        if "$" not in block.text and "dollar" not in block.text.lower() and "USD" not in block.text:
            continue
        for sentence in block.sentences:
            if market and not speaks_for_itself(sentence):
                continue
            maybe_market = market_sentence_words(sentence)  # one cheap test before the per-price clause test
            for match in _PRICE.finditer(sentence):
                if match.group("scale") or (maybe_market and market_clause(sentence, match.start(), match.end())):
                    continue
                raw = match.group("amount") or match.group("words")
                amount = float(raw.replace(",", "") + (match.group("cents") or ""))
                if amount <= 0:
                    continue
                # bounded windows: never copy the rest of a long sentence per price
                after = sentence[match.end(): match.end() + 120]
                before = sentence[max(0, match.start() - 120): match.start()]
                if _OUTSIDE_FEE.search(before[-80:]) or _DISCOUNT_BEFORE.search(before[-20:]) \
                        or (not on_partner_site and _PARTNER_FEE.search(before[-80:])) \
                        or _DISCOUNT_AFTER.match(after) or _NOT_A_SERVICE_PRICE_BEFORE.search(before[-60:]) \
                        or _NOT_A_SERVICE_PRICE_AFTER.match(after):
                    continue
                ranged = _RANGE_END.match(after) if not match.group("cents") else None
                if ranged and float(ranged.group(1).replace(",", "")) > amount and ranged.group(1) not in seen_ends:
                    seen_ends.add(ranged.group(1))
                    end = float(ranged.group(1).replace(",", ""))
                    if end not in seen:
                        seen.add(end)
                        prices.append(PriceFact(amount_usd=end, unit=None, snippet=sentence[:300]))
                        evidence.append(Evidence("prices_usd", end, sentence[:300], document.url))
                if amount in seen:
                    continue  # said before: its unit is known (and a page of "$1 $1 ..." costs one look per amount)
                unit = next((name for name, pattern in _UNITS if pattern.search(after)), None)
                unit = unit or next((name for name, pattern in _UNITS_BEFORE if pattern.search(before)), None)
                seen.add(amount)
                prices.append(PriceFact(amount_usd=amount, unit=unit, snippet=sentence[:300]))
                evidence.append(Evidence("prices_usd", amount, sentence[:300], document.url))
    return prices


def _links(document: Document, evidence: list[Evidence]) -> list[str]:
    """Outbound links of interest: booking pages and partners on other hosts."""
    own_host = urlsplit(document.url).hostname if document.url else None
    found: list[str] = []
    for href, text in document.links:
        if not href.lower().startswith(("http://", "https://", "/")):
            continue
        absolute = urljoin(document.url or "", href)
        host = urlsplit(absolute).hostname
        interesting = _INTEREST.search(absolute) or _INTEREST.search(text)
        if host and host != own_host and interesting and absolute not in found:
            found.append(absolute)
            evidence.append(Evidence("links", absolute, f"link: {text[:200]}", document.url))
    return found


def extract_contact(document: Document, structured: StructuredData, market: bool | None = None) -> Contact:
    """`market`: the page is a cost guide (market.market_page; computed here when not given)."""
    evidence: list[Evidence] = []
    phones = _phones(document, evidence)
    for item in structured.organizations:
        phone = normalise_phone(text_of(item.get("telephone")) or "")
        if phone and phone not in phones:
            phones.append(phone)
            evidence.append(Evidence("phones", phone, f"schema.org telephone: {item.get('telephone')}", document.url))
    emails = _emails(document, evidence)
    for item in structured.organizations:
        email = normalise_email(text_of(item.get("email")) or "")
        if email and email not in emails:
            emails.append(email)
            evidence.append(Evidence("emails", email, f"schema.org email: {email}", document.url))
    return Contact(
        phones=phones,
        emails=emails,
        prices=_prices(document, evidence, market_page(document) if market is None else market),
        links=_links(document, evidence),
        evidence=evidence,
    )

