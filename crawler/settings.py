"""Scrapy settings built from kapdir's typed settings: polite by default."""

from typing import Any

from directory.egress import Policy
from directory.settings import Settings


def scrapy_settings(
    settings: Settings,
    *,
    proxy: str | None = None,
    redis_url: str | None = None,
    run_id: int | None = None,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "BOT_NAME": "kapdir",
        "USER_AGENT": settings.effective_user_agent,
        "ROBOTSTXT_OBEY": True,
        "DOWNLOAD_DELAY": settings.download_delay,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": max(settings.download_delay, 0.1),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": settings.concurrent_per_domain,
        # One page item per response: Scrapy's default of 100 parallel item slots only costs asyncio tasks.
        "CONCURRENT_ITEMS": 4,
        "DOWNLOAD_MAXSIZE": settings.max_body_bytes,
        "DOWNLOAD_WARNSIZE": settings.max_body_bytes,
        "DOWNLOAD_TIMEOUT": settings.download_timeout,
        "RETRY_TIMES": settings.retry_times,
        "REDIRECT_MAX_TIMES": 5,
        "HTTPERROR_ALLOW_ALL": True,  # every status reaches the spider, which records it
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,  # no control port on a crawler that reads hostile pages
        "LOG_LEVEL": "WARNING",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "KAPDIR_PROXY": proxy,
        "KAPDIR_MAX_RETRY_AFTER": settings.max_retry_after,
        "KAPDIR_MAX_CRAWL_DELAY": settings.max_crawl_delay,
        # Finished sites stored this many to a transaction by a writer process (crawler.writer); 0: each site
        # stored in the crawl process as it finishes.
        "KAPDIR_STORE_BATCH": 20,
        # Egress policy (directory.egress): every request, redirect hop and connection is checked.
        "KAPDIR_EGRESS": Policy.from_settings(settings).to_dict(),
        "TWISTED_DNS_RESOLVER": "crawler.egress.EgressResolver",
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.egress.EgressMiddleware": 50,  # first: before robots.txt is fetched for the host
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "crawler.middlewares.RobotsTxtMiddleware": 100,  # Scrapy's, made to follow RFC 9309, plus Crawl-delay
            "crawler.middlewares.ProxyEverywhereMiddleware": 740,  # before HttpProxyMiddleware (750)
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawler.middlewares.RetryAfterMiddleware": 550,
            "crawler.middlewares.RedirectLoopMiddleware": 610,  # sees 3xx responses before RedirectMiddleware
        },
        # Scrapy's depth bookkeeping and meta-copy check wrap every callback's output in two more async layers per
        # request and page; the spider counts its own depth (``kap_depth``, KAPDIR_MAX_DEPTH) and copies no meta.
        "SPIDER_MIDDLEWARES": {
            "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
            "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
        },
        "EXTENSIONS": {
            "scrapy.extensions.throttle.AutoThrottle": None,
            "crawler.middlewares.CrawlDelayAutoThrottle": 0,  # never below a robots.txt Crawl-delay
        },
        "ITEM_PIPELINES": {
            # Extraction first, so that the fetch log has its outcome too (extract_timeout)
            "crawler.pipelines.extract.ExtractPipeline": 100,
            "crawler.pipelines.fetchlog.FetchLogPipeline": 200,
            "crawler.pipelines.site.SitePipeline": 300,
        },
    }
    if redis_url:
        # Distributed mode: one request queue and one duplicate filter in Redis, shared by every worker.
        values.update(
            {
                "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
                "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
                "REDIS_URL": redis_url,
                "SCHEDULER_PERSIST": True,  # a worker that finishes first must not flush the others' queue
                "SCHEDULER_QUEUE_KEY": f"kapdir:run:{run_id}:requests",
                "SCHEDULER_DUPEFILTER_KEY": f"kapdir:run:{run_id}:dupefilter",
                "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.FifoQueue",
            }
        )
    values.update(overrides or {})
    # Sites crawled at once by a one-process crawl (crawler.spiders.practice, start): enough for every slot to
    # have a site with a request ready (a site waits for its home page before it has links), few enough that
    # sites finish, and are stored, while the crawl goes on.
    values.setdefault("KAPDIR_OPEN_SITES",
                      4 * values["CONCURRENT_REQUESTS"] // max(1, values["CONCURRENT_REQUESTS_PER_DOMAIN"]))
    return values
