"""A Scrapy crawl with kapdir's egress middleware and resolver, whose DNS answer rebinds after the first lookup.

Run by test_ssrf_crawl.py in its own process (Scrapy's reactor cannot restart): ``python -m
tests.security.rebind_crawl PORT``. The name answers 127.0.0.1 (admitted) first and 127.0.0.2 afterwards; the
crawl must connect to the checked 127.0.0.1 both for the check and the connection. Prints one JSON line.
"""

import json
import sys

import scrapy
from scrapy.crawler import CrawlerProcess

from directory import egress

answers = iter([["127.0.0.1"]] + [["127.0.0.2"]] * 10)
lookups: list[str] = []


def rebinding_dns(host: str, port: int) -> list[str]:
    lookups.append(host)
    return next(answers)


class OnePage(scrapy.Spider):
    name = "one_page"
    results: list[dict] = []

    def __init__(self, url: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.url = url

    async def start(self):
        for _ in range(3):  # the same host three times: one lookup, one checked answer
            yield scrapy.Request(self.url, callback=self.parse, errback=self.failed, dont_filter=True)

    def parse(self, response):
        self.results.append({"status": response.status, "ip": response.ip_address and str(response.ip_address)})

    def failed(self, failure):
        self.results.append({"error": str(failure.value)})


def main(port: int) -> None:
    egress.system_resolve = rebinding_dns
    process = CrawlerProcess({
        "TWISTED_DNS_RESOLVER": "crawler.egress.EgressResolver",
        "KAPDIR_EGRESS": {"allow_private": False, "ports": [80, 443, port], "allow_networks": ["127.0.0.1/32"]},
        "DOWNLOADER_MIDDLEWARES": {"crawler.egress.EgressMiddleware": 50},
        "ROBOTSTXT_OBEY": False, "LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False,
    })
    process.crawl(OnePage, url=f"http://rebind.example.com:{port}/")
    process.start()
    print(json.dumps({"results": OnePage.results, "lookups": lookups}))


if __name__ == "__main__":
    main(int(sys.argv[1]))
