"""Board search forms read through Scrapy: Virginia DHP License Lookup and Maryland BPCT verification.

Scrapy's Twisted reactor cannot restart within one process, so each batch of look-ups runs in a child process
(``python -m directory.boards.formcrawl``) that writes one JSON line per record or error. The crawl obeys
robots.txt, identifies itself (settings.effective_user_agent), waits ``board_lookup_delay_s`` between requests,
and stops at a CAPTCHA instead of bypassing it.
"""

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from directory.boards.base import LookupQuery, NormalRecord, Source, clean, names_from_text, parse_date
from directory.errors import SourceError

FORM_DATES = ("%m/%d/%Y", "%Y-%m-%d", "%B %d, %Y")


class FormSource(Source):
    """A search-form source; subclasses map a detail page's label/value pairs to a record."""

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.errors: dict[LookupQuery, str] = {}

    def run_child(self, queries: list[LookupQuery]) -> list[dict[str, Any]]:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump([asdict(q) for q in queries], handle)
        command = [sys.executable, "-m", "directory.boards.formcrawl", "--source", self.info.name,
                   "--base-url", self.base_url, "--queries", handle.name]
        # A safety net only: the crawl's own timeouts end a stuck request; Python and Scrapy start-up is slow on a
        # busy machine, so the budget is generous.
        budget = 120 + self.timeout * 3 + len(queries) * (self.settings.board_lookup_delay_s * 4 + self.timeout)
        try:
            finished = subprocess.run(command, capture_output=True, text=True, timeout=budget, check=False)
        except subprocess.TimeoutExpired:
            raise SourceError(f"{self.info.name}: look-up crawl did not finish within {budget:.0f}s") from None
        finally:
            Path(handle.name).unlink(missing_ok=True)
        lines = [json.loads(line) for line in finished.stdout.splitlines() if line.startswith("{")]
        if finished.returncode != 0 and not lines:
            tail = (finished.stderr.strip().splitlines() or ["no output"])[-1]
            raise SourceError(f"{self.info.name}: look-up crawl failed: {tail}")
        return lines

    def lookup(self, queries: list[LookupQuery]) -> Iterator[tuple[LookupQuery, NormalRecord]]:
        self.errors = {}
        if not queries:
            return
        lines = self.run_child(queries)
        records: list[tuple[LookupQuery, NormalRecord]] = []
        source_failures = 0
        for line in lines:
            query = queries[line["query"]]
            if line["type"] == "error":
                self.errors[query] = line["message"]
                source_failures += bool(line.get("source", True))
            elif line["type"] == "record":
                records.append((query, self.to_record(line["fields"], line["url"])))
        if source_failures == len(queries):  # nothing answered: the source itself failed
            raise SourceError(next(iter(self.errors.values())))
        for query, record in records:
            if query not in self.errors:
                yield query, record

    def to_record(self, fields: dict[str, str], url: str) -> NormalRecord:
        raise NotImplementedError


def first_of(fields: dict[str, str], *labels: str) -> str:
    """The value of the first label present (a detail label seen in two wordings)."""
    return next((clean(fields[label]) for label in labels if label in fields), "")


class VirginiaDHP(FormSource):
    """dhp.virginiainteractive.org/Lookup: token, POST, 302 to /Lookup/Result, paging, /Lookup/Detail/{number}.

    Detail labels as public scrapers of the live page read them ("Initial License Date", "Expire Date", "License
    Status"); the reference's wording ("Issue/Initial date", "Expire date", "Status") is accepted too."""

    name = adapter = "va_dhp"
    fields_expected = frozenset({"Name", "License Number", "Occupation", "License Status"})
    fields_known = frozenset({"Address", "Initial License Date", "Expire Date", "Additional Public Information",
                              "Status", "Issue/Initial date", "Expire date"})

    def to_record(self, fields: dict[str, str], url: str) -> NormalRecord:
        number = clean(fields.get("License Number"))
        extra = next((clean(v) for k, v in fields.items() if k.startswith("Additional Public Information")), "")
        disciplined = bool(extra) and extra.upper() not in {"NONE", "N/A", "NO"}
        address = clean(fields.get("Address"))
        parts = [p.strip() for p in address.split(",")]
        city = parts[-2] if len(parts) >= 2 else ""
        return self.record(
            record_key=number, names=names_from_text(fields.get("Name", "")), state="VA",
            title_raw=clean(fields.get("Occupation")) or None, license_number=number,
            status_raw=first_of(fields, "License Status", "Status"),
            issue_date=parse_date(first_of(fields, "Initial License Date", "Issue/Initial date"), FORM_DATES),
            expiry_date=parse_date(first_of(fields, "Expire Date", "Expire date"), FORM_DATES), discipline=disciplined,
            discipline_text=extra if disciplined else None,
            city=city or None, address_state=_address_state(address),
            source_url=url, raw=fields,
        )


class MarylandBPCT(FormSource):
    """mdbnc.health.maryland.gov/pctverification: ASP.NET WebForms (__VIEWSTATE, __EVENTVALIDATION), a results
    grid with "View Details" links, and a DetailsView1 label/value table."""

    name = adapter = "md_bpct"
    fields_expected = frozenset({"Name", "License Number", "License Type", "License Status"})  # UNCONFIRMED
    fields_known = frozenset({"Issue Date", "Expiration Date", "Public Orders"})

    def to_record(self, fields: dict[str, str], url: str) -> NormalRecord:
        number = clean(fields.get("License Number"))
        orders = clean(fields.get("Public Orders"))
        disciplined = bool(orders) and orders.upper() not in {"NONE", "N/A", "NO"}
        return self.record(
            record_key=number, names=names_from_text(fields.get("Name", "")), state="MD",
            title_raw=clean(fields.get("License Type")) or None, license_number=number,
            status_raw=clean(fields.get("License Status")),
            issue_date=parse_date(fields.get("Issue Date"), FORM_DATES),
            expiry_date=parse_date(fields.get("Expiration Date"), FORM_DATES), discipline=disciplined,
            discipline_text=orders if disciplined else None, source_url=url, raw=fields,
        )


def _address_state(address: str) -> str | None:
    """'Richmond, VA 23219' -> 'VA'."""
    for token in reversed(address.replace(",", " ").split()):
        if len(token) == 2 and token.isalpha() and token.isupper():
            return token
    return None
