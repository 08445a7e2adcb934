"""Imported once by the crawl fork server, so that every crawl process it forks starts warm.

Scrapy, the spiders and the extractor (with its lookup tables) take seconds to import and build; a crawl process
forked from the warm server skips that. Nothing here may import ``twisted.internet.reactor``: that would install a
reactor before Scrapy chooses its own.
"""

import sys

import scrapy.crawler  # noqa: F401
import scrapy.downloadermiddlewares.robotstxt  # noqa: F401
import scrapy_redis.scheduler  # noqa: F401
from scrapy.core.downloader.handlers import http11  # noqa: F401

import crawler.middlewares  # noqa: F401
import crawler.pipelines.extract  # noqa: F401
import crawler.pipelines.fetchlog  # noqa: F401
import crawler.pipelines.listing  # noqa: F401
import crawler.pipelines.site  # noqa: F401
import crawler.spiders.listing  # noqa: F401
import crawler.spiders.practice  # noqa: F401
from directory.extraction import extract_page
from directory.store import geocode

# Build the extractor's and the geocoder's lookup tables once (both are cached per process).
extract_page("<p>Jane Roe, LCSW, serving Baltimore, Maryland, 21201.</p>", "http://warm.invalid/", "text/html")
geocode("Baltimore", "MD", None)

if "twisted.internet.reactor" in sys.modules:
    raise RuntimeError("crawler.preload installed a Twisted reactor; Scrapy must install its own")
