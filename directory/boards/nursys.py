"""Nursys QuickConfirm (NCSBN): the public source that shows whether a nurse's license is multistate (NLC).

QuickConfirm is free and answers one nurse at a time with license type, number, status, expiration, the
multistate flag and discipline (reference, credentialing-standards.md 3.1; compacts-and-telehealth.md 4.1). Its
HTML is NOT in the reference: the search form (first and last name, jurisdiction, license type; or a license
number), the results table and the detail labels read here are UNCONFIRMED, modelled as a minimal flow on the
pattern of the other board forms and served by ``directory.boards.mirrors.forms.NursysMirror``. Against the live
site the spider's selectors (``directory.boards.formcrawl.NursysSpider``) are the part to check first.

Like every form source the crawl runs in a child process (Scrapy), obeys robots.txt, identifies itself, waits
between requests and stops at a CAPTCHA. A search is national: a multistate license sits in the nurse's home
state, which is rarely the state of the claim, so each record's ``state`` is the licensing (home) state.
"""

import us

from directory.boards.base import NormalRecord, clean, names_from_text, parse_date
from directory.boards.forms import FORM_DATES, FormSource

YES = {"YES", "Y", "TRUE", "MULTISTATE"}
NO = {"NO", "N", "FALSE", "SINGLE STATE", "SINGLE-STATE"}


def multistate_flag(text: str | None) -> bool | None:
    """'Yes' / 'No' (and close variants) -> True / False; anything else is not known."""
    word = clean(text).upper()
    if word in YES:
        return True
    if word in NO:
        return False
    return None


def jurisdiction_code(text: str | None) -> str | None:
    """'FL' or 'Florida' -> 'FL' (None when it names no US jurisdiction)."""
    found = us.states.lookup(clean(text)) if clean(text) else None
    return found.abbr if found else None


class NursysQuickConfirm(FormSource):
    """QuickConfirm detail table -> a license record of the licensing jurisdiction, with its multistate flag."""

    name = "nursys"

    def to_record(self, fields: dict[str, str], url: str) -> NormalRecord:
        number = clean(fields.get("License Number"))
        state = jurisdiction_code(fields.get("Jurisdiction"))
        title = clean(fields.get("License Type")) or None
        disciplined = clean(fields.get("Discipline Against License")).upper() in YES
        details = clean(fields.get("Discipline Details")) or None
        return self.record(
            # A number is unique only within a board and license type.
            record_key=f"{state or '?'}|{title or '?'}|{number}", names=names_from_text(fields.get("Name", "")),
            state=state, title_raw=title, license_number=number, status_raw=clean(fields.get("License Status")),
            issue_date=parse_date(fields.get("Original Issue Date"), FORM_DATES),
            expiry_date=parse_date(fields.get("Expiration Date"), FORM_DATES),
            multistate=multistate_flag(fields.get("Multistate")),
            discipline=disciplined, discipline_text=(details or "Yes") if disciplined else None,
            source_url=url, raw=fields,
        )
