"""Crawl a few sample-web sites with a bare Scrapy spider through the server's proxy; print what was fetched.

Run in a subprocess by test_web.py (Twisted's reactor cannot restart inside one pytest process).
"""

import json
import os
import sys

import scrapy
from scrapy.crawler import CrawlerProcess

from directory.sample_world.web import start_sample_web

web = start_sample_web()
# Through the environment, HttpProxyMiddleware proxies every request, robots.txt fetches included.
os.environ["http_proxy"] = web.proxy_url
keys = sys.argv[1:]
seeds = [f"http://{key}.example/" for key in keys]


class ProbeSpider(scrapy.Spider):
    name = "probe"
    custom_settings = {"ROBOTSTXT_OBEY": True, "LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False}

    async def start(self):
        for url in seeds:
            yield scrapy.Request(url)

    def parse(self, response):
        if not hasattr(response, "css"):
            return
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if url.split("/")[2:3] == response.url.split("/")[2:3]:
                yield scrapy.Request(url)


process = CrawlerProcess()
process.crawl(ProbeSpider)
process.start()
print(json.dumps({key: sorted({h.path for h in web.fetched(f"{key}.example") if h.status == 200}) for key in keys}))
web.stop()
