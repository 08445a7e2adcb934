"""What the crawl process does per page besides fetching: no debug log records built only to be dropped."""

import logging

from crawler.run import quiet_scrapy_loggers


def test_scrapy_debug_lines_are_not_built_below_the_log_level():
    engine_logger = logging.getLogger("scrapy.core.engine")
    saved = {name: logging.getLogger(name).level for name in ("scrapy", "twisted")}
    built: list[logging.LogRecord] = []
    factory = logging.getLogRecordFactory()

    def counting_factory(*args, **kwargs):
        record = factory(*args, **kwargs)
        built.append(record)
        return record

    logging.setLogRecordFactory(counting_factory)
    try:
        quiet_scrapy_loggers("WARNING")
        engine_logger.debug("Crawled (200) <GET http://calm-harbor.example/>")
        engine_logger.warning("a warning still goes through")
    finally:
        logging.setLogRecordFactory(factory)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
    assert [record.levelname for record in built] == ["WARNING"]
