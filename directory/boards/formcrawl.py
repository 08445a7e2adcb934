"""Child-process entry point for search-form look-ups (Scrapy): one JSON line per record or error on stdout.

    python -m directory.boards.formcrawl --source va_dhp|md_bpct --base-url URL --queries queries.json

Every query gets its own cookie jar (the forms tie their token or view state to a session). Polite by
construction: robots.txt obeyed, the project's user agent, one request at a time with a delay, no proxies,
and a CAPTCHA ends that query with an error instead of being bypassed.
"""

import argparse
import json
import os
import sys
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectError, DNSLookupError, TCPTimedOutError, TimeoutError

from directory.boards.http import limits_for
from directory.names import parse_name
from directory.settings import get_settings


def emit(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def has_captcha(response) -> bool:
    markers = response.xpath("//*[contains(@class,'g-recaptcha') or contains(@class,'h-captcha') or "
                             "contains(translate(@id,'CAPTCH','captch'),'captcha') or "
                             "contains(translate(@name,'CAPTCH','captch'),'captcha')]")
    return bool(markers)


def label_pairs(rows) -> dict[str, str]:
    """Label/value table rows (th/td or td/td) as a dict."""
    pairs = {}
    for row in rows:
        cells = row.xpath("./th|./td")
        if len(cells) >= 2:
            label = " ".join(cells[0].xpath(".//text()").getall()).strip().rstrip(":").strip()
            value = " ".join(t.strip() for t in cells[1].xpath(".//text()").getall() if t.strip())
            if label:
                pairs[label] = value
    return pairs


class LookupSpider(scrapy.Spider):
    """Shared: queries, per-query cookie jars, error reporting."""

    def __init__(self, base_url: str, queries: list[dict[str, Any]], **kwargs: Any):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.queries = queries
        self.failed: set[int] = set()

    def fail(self, index: int, message: str, *, source_level: bool = True) -> None:
        """Report a failed query; ``source_level`` failures (HTTP, robots.txt, CAPTCHA, garbage) say the source
        itself could not be read, others (too many records) concern this query only."""
        if index not in self.failed:
            self.failed.add(index)
            emit({"type": "error", "query": index, "message": f"{self.name}: {message}", "source": source_level})

    def errback(self, failure):
        index = failure.request.meta["query"]
        if failure.check(IgnoreRequest):
            self.fail(index, f"robots.txt forbids {failure.request.url}; not fetched")
        elif failure.check(HttpError):
            status = failure.value.response.status
            word = "throttled (HTTP 429)" if status == 429 else f"HTTP {status}"
            self.fail(index, f"{word} from {failure.request.url}")
        elif failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
            self.fail(index, f"no answer in time from {failure.request.url}")
        elif failure.check(DownloadConnectionRefusedError, CannotResolveHostError, ConnectError, DNSLookupError):
            self.fail(index, f"cannot reach {failure.request.url}")
        else:
            self.fail(index, f"request failed: {failure.getErrorMessage()}")

    async def start(self):
        for request in self.initial_requests():
            yield request

    def meta(self, index: int) -> dict[str, Any]:
        return {"query": index, "cookiejar": index}

    def record(self, index: int, fields: dict[str, str], url: str) -> None:
        emit({"type": "record", "query": index, "fields": fields, "url": url})

    def garbage(self, response, what: str) -> None:
        self.fail(response.meta["query"], f"garbage: {what} not found at {response.url}")


class VirginiaSpider(LookupSpider):
    name = "va_dhp"
    occupations = {  # LicenseClass -> words of the occupation option to pick
        "professional_counselor": "Professional Counselor", "clinical_social_worker": "Clinical Social Worker",
        "social_worker": "Social Worker", "marriage_family_therapist": "Marriage and Family Therapist",
        "psychologist": "Psychologist", "physician": "Medicine and Surgery",
        "nurse_practitioner": "Nurse Practitioner", "physician_assistant": "Physician Assistant",
        "registered_nurse": "Registered Nurse",
    }

    def initial_requests(self):
        for index, _query in enumerate(self.queries):
            yield scrapy.Request(f"{self.base_url}/Lookup/Index", callback=self.search, errback=self.errback,
                                 meta=self.meta(index), dont_filter=True)

    def search(self, response):
        index = response.meta["query"]
        if has_captcha(response):
            return self.fail(index, "CAPTCHA on the search page; not bypassed (check by hand)")
        token = response.xpath("//input[@name='__RequestVerificationToken']/@value").get()
        if token is None:
            return self.garbage(response, "the search form's verification token")
        query = self.queries[index]
        wanted = self.occupations.get(query.get("license_class") or "", "")
        occupation = ""
        for option in response.xpath("//select[@id='OccupationId']/option"):
            if wanted and wanted.lower() in (option.xpath("text()").get() or "").lower():
                occupation = option.xpath("@value").get() or ""
                break
        parsed = parse_name(query["name"])
        formdata = {"__RequestVerificationToken": token, "OccupationId": occupation, "LName": parsed.family,
                    "FName": parsed.given, "State": "", "LicStatus": "0", "submitBtn": "Search",
                    "SearchByOther": "true"}
        yield scrapy.FormRequest(f"{self.base_url}/Lookup/Index", formdata=formdata, callback=self.results,
                                 errback=self.errback, meta=self.meta(index), dont_filter=True)

    # Result rows as public scrapers of the live page select them: `table tr a[href*="/Lookup/Detail/"]`
    # (docs/sources.md, VA DHP). How the live page says "no records" is UNCONFIRMED: a page with no such link is
    # "not found" when it still shows the results page's markers, and garbage otherwise.
    DETAIL_LINKS = "//table//tr//a[contains(@href,'/Lookup/Detail/')]/@href"
    EMPTY_MARKERS = ("no records", "no record found", "no results", "no matching")

    def results(self, response):
        index = response.meta["query"]
        if has_captcha(response):
            return self.fail(index, "CAPTCHA on the results page; not bypassed (check by hand)")
        if "too many records" in response.text.lower():
            return self.fail(index, "too many records for this name; narrow the search by hand", source_level=False)
        links = response.xpath(self.DETAIL_LINKS).getall()
        if not links and not any(marker in response.text.lower() for marker in self.EMPTY_MARKERS):
            return self.garbage(response, "result rows (table tr a[href*='/Lookup/Detail/'])")
        for href in links:
            yield response.follow(href, callback=self.detail, errback=self.errback, meta=self.meta(index))
        if response.meta.get("paged"):
            return
        for href in response.xpath("//div[contains(@class,'paging')]//a/@href").getall():
            meta = {**self.meta(index), "paged": True}
            yield response.follow(href, callback=self.results, errback=self.errback, meta=meta)

    def detail(self, response):
        fields = label_pairs(response.xpath("//table//tr"))
        if "License Number" not in fields:
            return self.garbage(response, "the license detail table")
        self.record(response.meta["query"], fields, response.url)


class MarylandSpider(LookupSpider):
    """Name search on default.aspx. The name-field ids are UNCONFIRMED: only bodyContentPlaceHolder_licenseNoSearch
    and _search2 are documented (for the sibling psychology board)."""

    name = "md_bpct"
    prefix = "ctl00$bodyContentPlaceHolder$"

    def initial_requests(self):
        for index, _query in enumerate(self.queries):
            yield scrapy.Request(f"{self.base_url}/pctverification/default.aspx", callback=self.search,
                                 errback=self.errback, meta=self.meta(index), dont_filter=True)

    def search(self, response):
        index = response.meta["query"]
        if has_captcha(response):
            return self.fail(index, "CAPTCHA on the search page; not bypassed (check by hand)")
        if not response.xpath("//input[@name='__VIEWSTATE']"):
            return self.garbage(response, "the ASP.NET form (__VIEWSTATE)")
        parsed = parse_name(self.queries[index]["name"])
        formdata = {f"{self.prefix}lastNameSearch": parsed.family, f"{self.prefix}firstNameSearch": parsed.given}
        yield scrapy.FormRequest.from_response(
            response, formid="form1", formdata=formdata, clickdata={"name": f"{self.prefix}search1"},
            callback=self.results, errback=self.errback, meta=self.meta(index), dont_filter=True)

    def results(self, response):
        index = response.meta["query"]
        grid = response.xpath("//table[@id='bodyContentPlaceHolder_gvResults']")
        if not grid and not response.xpath("//*[@id='bodyContentPlaceHolder_lblNoResults']"):
            return self.garbage(response, "the results grid")
        for href in grid.xpath(".//a[contains(normalize-space(.),'View Details')]/@href").getall():
            yield response.follow(href, callback=self.detail, errback=self.errback, meta=self.meta(index))

    def detail(self, response):
        fields = label_pairs(response.xpath("//table[@id='DetailsView1']//tr"))
        if "License Number" not in fields:
            return self.garbage(response, "DetailsView1")
        self.record(response.meta["query"], fields, response.url)


SPIDERS = {"va_dhp": VirginiaSpider, "md_bpct": MarylandSpider}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, choices=sorted(SPIDERS))
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--queries", required=True, help="JSON file: a list of {name, state, license_class}")
    args = parser.parse_args(argv)
    with open(args.queries) as handle:
        queries = json.load(handle)
    settings = get_settings()
    process = CrawlerProcess(settings={
        "ROBOTSTXT_OBEY": True,
        "USER_AGENT": settings.effective_user_agent,
        "DOWNLOAD_DELAY": settings.board_lookup_delay_s,
        "DOWNLOAD_DELAY_JITTER": 0,
        "CONCURRENT_REQUESTS": 1,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_TIMEOUT": settings.board_timeout_s,  # Scrapy's timeout covers a whole download
        "DOWNLOAD_MAXSIZE": limits_for(args.source, settings).max_bytes,
        "RETRY_TIMES": 2,
        "COOKIES_ENABLED": True,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": os.environ.get("KAPDIR_SCRAPY_LOG_LEVEL", "ERROR"),
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    })
    process.crawl(SPIDERS[args.source], base_url=args.base_url, queries=queries)
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
