"""The sample web over real HTTP on loopback: proxy and Host dispatch, 304s, faults, listing, the CLI."""

import http.client
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from email.utils import format_datetime

import pytest
from bs4 import BeautifulSoup

from directory.sample_world.web import PUBLISHED_AT, start_sample_web
from directory.sample_world.world import load_world
from tests.conftest import free_port


@pytest.fixture(scope="module")
def web():
    with start_sample_web(load_world()) as server:
        yield server


def via_proxy(web, url, headers=None, method="GET"):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": web.proxy_url}))
    return opener.open(urllib.request.Request(url, headers=headers or {}, method=method), timeout=10)


def by_host(web, host, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=10)
    conn.request("GET", path, headers={"Host": host, **(headers or {})})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def test_serves_every_seed_through_the_proxy(web):
    assert len(web.seeds) >= 40 and all(s.startswith("http://") and s.endswith(".example/") for s in web.seeds)
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda url: via_proxy(web, url), web.seeds))
    for response in responses:
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert response.read().startswith((b"<!DOCTYPE", b"<!doctype", b"<html"))
    assert all(h.proxied for h in web.fetched() if h.path == "/")


def test_origin_form_requests_dispatch_on_the_host_header(web):
    response, body = by_host(web, "harborlightkap.example", "/about")
    assert response.status == 200 and b"Marisol Quenneville" in body
    response, body = by_host(web, "harborlightkap.example:80", "/about")
    assert response.status == 200
    response, _ = by_host(web, "tidewatertherapy.example", "/about")
    assert response.status == 404  # that site is WordPress: /our-team/


def test_unknown_hosts_and_paths_are_404(web):
    for url in ("http://nowhere.example/", "http://harborlightkap.example/no-such-page"):
        with pytest.raises(urllib.error.HTTPError) as err:
            via_proxy(web, url)
        assert err.value.code == 404


def test_conditional_requests_get_304(web):
    url = "http://mesapsychology.example/about-us"
    first = via_proxy(web, url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag and modified == format_datetime(PUBLISHED_AT, usegmt=True)
    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
        with pytest.raises(urllib.error.HTTPError) as err:
            via_proxy(web, url, headers)
        assert err.value.code == 304
    assert via_proxy(web, url, {"If-None-Match": '"stale"'}).status == 200
    assert via_proxy(web, url, {"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"}).status == 200


def test_override_changes_and_removes_pages(web):
    url = "http://lakeshorekap.example/providers"
    old = via_proxy(web, url)
    old_etag = old.headers["ETag"]
    web.override(url, "<html><body><h1>New team</h1><p>Declan Moriarty left the practice.</p></body></html>")
    try:
        changed = via_proxy(web, url, {"If-None-Match": old_etag})
        assert changed.status == 200 and b"left the practice" in changed.read()
        assert changed.headers["ETag"] != old_etag
        web.override(url, None)
        with pytest.raises(urllib.error.HTTPError) as err:
            via_proxy(web, url)
        assert err.value.code == 404
    finally:
        web.restore(url)
    assert via_proxy(web, url).headers["ETag"] == old_etag


def test_a_host_can_go_down_and_come_back(web):
    host = "bayouhealing.example"
    web.set_down(host)
    try:
        with pytest.raises(urllib.error.HTTPError) as err:
            via_proxy(web, f"http://{host}/")
        assert err.value.code == 503 and err.value.headers["Retry-After"]
        web.set_down(host, mode="drop")
        with pytest.raises((urllib.error.URLError, http.client.RemoteDisconnected, ConnectionError)):
            via_proxy(web, f"http://{host}/")
        assert via_proxy(web, "http://dallasketamine.example/").status == 200  # other hosts are unaffected
    finally:
        web.set_down(host, False)
    assert via_proxy(web, f"http://{host}/").status == 200


def test_robots_sitemap_pdf_and_head(web):
    robots = via_proxy(web, "http://harborlightkap.example/robots.txt")
    assert robots.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert b"Disallow: /members/" in robots.read()
    sitemap = via_proxy(web, "http://harborlightkap.example/sitemap.xml")
    assert sitemap.headers["Content-Type"] == "application/xml; charset=utf-8"
    pdf = via_proxy(web, "http://harborlightkap.example/files/intake-packet.pdf")
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.read().startswith(b"%PDF-")
    head = via_proxy(web, "http://harborlightkap.example/", method="HEAD")
    assert head.status == 200 and head.read() == b"" and int(head.headers["Content-Length"]) > 0
    with pytest.raises(urllib.error.HTTPError):
        via_proxy(web, "http://peachtreemindful.example/robots.txt")  # some sites have none


def test_listing_is_crawlable_to_every_practice(web):
    url, found, pages = web.listing_url, [], 0
    while url:
        doc = BeautifulSoup(via_proxy(web, url).read(), "lxml")
        found += [a["href"] for a in doc.select("ol.results a")]
        nxt = doc.find("a", rel="next")
        url = f"http://{web.world.listing_host}{nxt['href']}" if nxt else None
        pages += 1
    assert found == web.seeds and pages >= 4


def test_synthetic_web_serves_thousands_of_hosts():
    from directory.sample_world.world import synthetic_world

    with start_sample_web(synthetic_world(2000)) as big:
        assert len(big.seeds) == 2000
        for url in (big.seeds[0], big.seeds[999], big.seeds[-1]):
            assert via_proxy(big, url).status == 200


def test_module_serves_by_hand():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "directory.sample_world.web", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "http://harborlightkap.example/")
                assert conn.getresponse().status == 200
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_scrapy_crawls_through_the_proxy_and_obeys_robots():
    result = subprocess.run([sys.executable, "-m", "tests.sample_world.scrapy_probe", "harborlightkap",
                             "elliottbaykap", "jamesriverpsych"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    fetched = json.loads(result.stdout.strip().splitlines()[-1])
    assert "/robots.txt" in fetched["harborlightkap"] and "/about/marisol-quenneville" in fetched["harborlightkap"]
    assert "/members/" not in fetched["harborlightkap"]  # linked from every page, disallowed by robots.txt
    assert "/staff-only/" not in fetched["elliottbaykap"] and "/our-team/" in fetched["elliottbaykap"]
    assert "/files/intake-packet.pdf" in fetched["jamesriverpsych"] and "/staff.html" in fetched["jamesriverpsych"]


def test_reset_forgets_overrides_and_down_hosts():
    with start_sample_web(load_world()) as web:
        web.override("http://harborlightkap.example/", "<html><body>changed</body></html>")
        web.set_down("tidewatertherapy.example")
        assert b"changed" in via_proxy(web, "http://harborlightkap.example/").read()
        web.reset()
        assert web.fetched() == []
        assert b"Harborlight" in via_proxy(web, "http://harborlightkap.example/").read()
        assert via_proxy(web, "http://tidewatertherapy.example/").status == 200
        assert len(web.fetched()) == 2


def test_missing_trailing_slash_redirects_like_wordpress(web):
    conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=10)
    conn.request("GET", "http://tidewatertherapy.example/our-team")
    response = conn.getresponse()
    response.read()
    assert response.status == 301 and response.headers["Location"] == "http://tidewatertherapy.example/our-team/"
    conn.close()
    assert via_proxy(web, "http://tidewatertherapy.example/our-team").url.endswith("/our-team/")
