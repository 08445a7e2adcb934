"""Every request that waits for a host's robots.txt gets its rules (Scrapy 2.13+ gave them only to the first).

Each scenario runs in a child process under the crawler's own reactor (asyncio), as in a crawl.
"""

import json
import subprocess
import sys

import pytest

ROBOTS = b"User-agent: *\nDisallow: /private/\n"
EXPECTED = ["/ allowed", "/private/a refused", "/private/b refused"]


def outcomes_in_reactor(middleware_path: str) -> list[str]:
    """Three requests for one host arrive while its robots.txt is still downloading; then it arrives."""
    from scrapy.utils.reactor import install_reactor

    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from scrapy.exceptions import IgnoreRequest
    from scrapy.http import Request, TextResponse
    from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
    from scrapy.utils.misc import load_object
    from scrapy.utils.test import get_crawler
    from twisted.internet import task
    from twisted.internet.defer import Deferred, DeferredList

    outcomes: list[str] = []

    def main(reactor):
        crawler = get_crawler(settings_dict={"ROBOTSTXT_OBEY": True})
        robots = Deferred()

        class Engine:
            async def download_async(self, request):
                return await maybe_deferred_to_future(robots)

        crawler.engine = Engine()
        middleware = load_object(middleware_path)(crawler)
        waiting = []
        for path in ("/", "/private/a", "/private/b"):
            done = deferred_from_coro(middleware.process_request(Request(f"http://calm.example{path}")))
            done.addCallbacks(lambda _, p=path: outcomes.append(f"{p} allowed"),
                              lambda failure, p=path: outcomes.append(f"{p} refused")
                              if failure.check(IgnoreRequest) else failure)
            waiting.append(done)
        reactor.callLater(0.05, robots.callback, TextResponse("http://calm.example/robots.txt", body=ROBOTS))
        return DeferredList(waiting, fireOnOneErrback=True)

    task.react(lambda reactor: main(reactor).addCallback(lambda _: print(json.dumps(sorted(outcomes)))))


def _outcomes(middleware_path: str) -> list[str]:
    code = f"from tests.crawler.test_robots_waiters import outcomes_in_reactor as run; run({middleware_path!r})"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_waiting_request_is_checked_against_robots_txt():
    assert _outcomes("crawler.middlewares.RobotsTxtMiddleware") == EXPECTED


def test_scrapys_own_middleware_still_has_the_defect_this_class_works_around():
    outcomes = _outcomes("scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware")
    if outcomes == EXPECTED:
        pytest.fail("Scrapy's RobotsTxtMiddleware now gives the rules to every waiting request: "
                    "drop crawler.middlewares.RobotsTxtMiddleware and use Scrapy's own")
    assert "/private/b allowed" in outcomes
