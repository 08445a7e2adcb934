"""Imported once by the crawl fork server, so that every crawl process it forks starts warm.

Scrapy, the spiders and the extractor (with its lookup tables) take seconds to import and build; a crawl process
forked from the warm server skips that. Nothing here may import ``twisted.internet.reactor``: that would install a
reactor before Scrapy chooses its own.
"""

import importlib
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
import crawler.run  # noqa: F401 - the crawl process's entry point, with the database layer it imports
import crawler.spiders.listing  # noqa: F401
import crawler.spiders.practice  # noqa: F401
import crawler.writer  # noqa: F401
from directory.extraction import extract_page
from directory.store import geocode


def _import_scrapy_components() -> None:
    """Every component Scrapy loads by name when a crawl starts (extensions, middlewares, handlers), even those it
    then finds disabled: importing them took over a second of each crawl process's start (aiohttp, for one)."""
    from scrapy.settings import default_settings

    names = [default_settings.SCHEDULER, default_settings.DUPEFILTER_CLASS, default_settings.STATS_CLASS,
             default_settings.LOG_FORMATTER]
    for table in ("EXTENSIONS_BASE", "DOWNLOADER_MIDDLEWARES_BASE", "SPIDER_MIDDLEWARES_BASE",
                  "DOWNLOAD_HANDLERS_BASE"):
        names += [name for name in getattr(default_settings, table, {}).values() if isinstance(name, str)]
        names += [name for name in getattr(default_settings, table, {}) if "." in name]
    for name in names:
        try:
            importlib.import_module(name.rsplit(".", 1)[0])
        except ImportError:
            continue  # an optional dependency (e.g. boto for s3): Scrapy skips that component too


_import_scrapy_components()

# Build the extractor's and the geocoder's lookup tables once (both are cached per process).
extract_page("<p>Jane Roe, LCSW, serving Baltimore, Maryland, 21201.</p>", "http://warm.invalid/", "text/html")
geocode("Baltimore", "MD", "21201")

if "twisted.internet.reactor" in sys.modules:
    raise RuntimeError("crawler.preload installed a Twisted reactor; Scrapy must install its own")
