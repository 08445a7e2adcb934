"""A multi-host loopback web for crawler tests, with fault injection.

One ``ThreadingHTTPServer`` on 127.0.0.1 (ephemeral port) serves many fictional hosts, dispatching on the
absolute URI of a proxy request (``GET http://calm.example/team``, as Scrapy sends through a proxy) or on the
Host header. Static pages get an ETag and Last-Modified and answer conditional requests with 304. Fault pages
reproduce what real sites do: 404, 410, 500, 503 with Retry-After, hangs, slow-drip bodies, redirect loops, a
50 MB body, wrong or missing charsets, malformed HTML, non-HTML content types, an infinite calendar and a
robots.txt that disallows everything. Every request is logged (host, path, headers, bytes sent).
"""

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)


@dataclass
class Page:
    body: bytes | str
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    validators: bool = True  # send ETag / Last-Modified and honour conditional requests

    @property
    def data(self) -> bytes:
        return self.body.encode() if isinstance(self.body, str) else self.body


@dataclass
class Access:
    host: str
    path: str
    headers: dict[str, str]
    status: int | None = None
    bytes_sent: int = 0
    at: float = field(default_factory=time.monotonic)  # when the request arrived


Handler = Callable[["_RequestHandler", str, dict], None]  # (request, path, query) -> writes a response


class FaultWeb:
    def __init__(self, sites: dict[str, dict[str, Page | Handler]]) -> None:
        self.sites = sites
        self.down: set[str] = set()
        self.log: list[Access] = []
        self._lock = threading.Lock()
        web = self

        class Bound(_RequestHandler):
            pass

        Bound.web = web
        self.server = _QuietServer(("127.0.0.1", 0), Bound)
        self.server.daemon_threads = True
        self.server.block_on_close = False  # hung fault handlers must not hold up the test's teardown
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "FaultWeb":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "FaultWeb":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def set_down(self, host: str, down: bool = True) -> None:
        (self.down.add if down else self.down.discard)(host)

    def set_page(self, host: str, path: str, page: Page | Handler | None) -> None:
        if page is None:
            self.sites[host].pop(path, None)
        else:
            self.sites[host][path] = page

    def record(self, access: Access) -> None:
        with self._lock:
            self.log.append(access)

    def requests(self, host: str | None = None, path_prefix: str = "") -> list[Access]:
        with self._lock:
            return [a for a in self.log if (host is None or a.host == host) and a.path.startswith(path_prefix)]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A crawler hanging up on a hung or huge response is the point of the test, not an error."""


class _RequestHandler(BaseHTTPRequestHandler):
    web: FaultWeb
    protocol_version = "HTTP/1.0"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        parts = urlsplit(self.path)
        host = (parts.hostname if parts.scheme else self.headers.get("Host", "").split(":")[0]).lower()
        path = parts.path or "/"
        full_path = path + (f"?{parts.query}" if parts.query else "")
        self.access = Access(host, full_path, dict(self.headers.items()))
        self.web.record(self.access)
        if host in self.web.down:
            self.close_connection = True
            self.connection.close()  # as if nothing listened: a dropped connection
            return
        site = self.web.sites.get(host)
        page = None if site is None else site.get(full_path, site.get(path))
        if page is None:
            self.send_page(Page("<h1>Not found</h1>", status=404, validators=False))
        elif callable(page):
            page(self, path, parse_qs(parts.query))
        else:
            self.send_page(page)

    def send_page(self, page: Page) -> None:
        data = page.data
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        if page.validators and page.status == 200:
            if self.headers.get("If-None-Match") == etag or (
                "If-None-Match" not in self.headers and self.headers.get("If-Modified-Since") == LAST_MODIFIED
            ):
                self.access.status = 304
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
        self.access.status = page.status
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(data)))
        if page.validators and page.status == 200:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
        for name, value in page.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.write(data)

    def write(self, data: bytes) -> bool:
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            return False
        self.access.bytes_sent += len(data)
        return True


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF whose text pypdf can extract (built by hand: no PDF writer needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


# --- fault handlers -----------------------------------------------------------------------------


def hang(seconds: float) -> Handler:
    def handler(request: _RequestHandler, path: str, query: dict) -> None:
        time.sleep(seconds)
        request.send_page(Page("<p>too late</p>"))

    return handler


def slow_drip(total_s: float = 30, chunk: bytes = b"<p>.</p>", every_s: float = 0.5) -> Handler:
    def handler(request: _RequestHandler, path: str, query: dict) -> None:
        request.access.status = 200
        request.send_response(200)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.end_headers()
        deadline = time.monotonic() + total_s
        while time.monotonic() < deadline and request.write(chunk):
            time.sleep(every_s)

    return handler


def huge_body(size: int = 50 * 1024 * 1024, declare_length: bool = True) -> Handler:
    chunk = b"<p>" + b"x" * 65_529 + b"</p>"

    def handler(request: _RequestHandler, path: str, query: dict) -> None:
        request.access.status = 200
        request.send_response(200)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        if declare_length:
            request.send_header("Content-Length", str(size))
        request.end_headers()
        sent = 0
        while sent < size and request.write(chunk):
            sent += len(chunk)

    return handler


def redirect_loop(request: _RequestHandler, path: str, query: dict) -> None:
    target = "/loop-b" if path == "/loop-a" else "/loop-a"
    request.send_page(Page("", status=302, headers={"Location": target}, validators=False))


def calendar_trap(request: _RequestHandler, path: str, query: dict) -> None:
    month = int(query.get("month", ["0"])[0])
    request.send_page(Page(f'<h1>Events calendar, month {month}</h1><a href="/calendar?month={month + 1}">'
                           f"Next month: group therapy events</a>"))


def flaky_503(retry_after: str, failures: int = 1) -> Handler:
    """503 with Retry-After for the first ``failures`` requests, then the page."""
    state = {"count": 0}

    def handler(request: _RequestHandler, path: str, query: dict) -> None:
        state["count"] += 1
        if state["count"] <= failures:
            request.send_page(Page("<p>busy</p>", status=503, headers={"Retry-After": retry_after}, validators=False))
        else:
            request.send_page(Page("<h1>Fees</h1><p>Ketamine-assisted psychotherapy: $400 per session.</p>"))

    return handler


# --- the sites ----------------------------------------------------------------------------------

PRACTICE_HOME = """<!doctype html><html><head><title>{name}</title></head><body>
<header><h1>{name}</h1>
<nav><a href="/team">Our Team</a> <a href="/ketamine-assisted-psychotherapy">Ketamine-Assisted Psychotherapy</a>
<a href="/fees">Fees</a> <a href="/contact">Contact</a> <a href="/blog/2024/03/our-new-couch">Blog</a>
<a href="/assets/logo.png">Logo</a> {pdf_link}
<a href="https://{key}.janeapp.example/book">Book an appointment</a>
<a href="https://www.facebook.com/{key}">Facebook</a></nav></header>
<main><p>{name} offers ketamine-assisted psychotherapy (KAP) with sublingual lozenges and IM ketamine.</p>
<p>We see clients in person in {state_name} and virtually in {state_name} and Florida.</p></main>
<footer>{name}, 10 Light St, Baltimore, MD 21201. Call (410) 555-0134.</footer></body></html>"""

PRACTICE_TEAM = """<!doctype html><html><head><title>Our Team | {name}</title></head><body><h1>Our Team</h1>
{people}<p><a href="/team/{first_slug}">Read {first_name}'s bio</a></p></body></html>"""

PERSON = "<div class='member'><h2>{name}, {creds}</h2><p>{name} is a {role} at {practice}.</p></div>"


def practice_site(key: str, name: str, people: list[tuple[str, str]], state_name: str = "Maryland",
                  pdf: bytes | None = None, sitemap: bool = False) -> dict[str, Page | Handler]:
    """A small practice site: home, team, a bio, KAP, fees, contact, an off-topic blog post, a PDF, robots."""
    block = "\n".join(PERSON.format(name=n, creds=c, role="therapist", practice=name) for n, c in people)
    first_name, first_creds = people[0]
    pdf_link = '<a href="/intake-packet.pdf">Intake packet (PDF)</a>' if pdf is not None else ""
    slug = first_name.lower().replace(" ", "-")
    pages: dict[str, Page | Handler] = {
        "/": Page(PRACTICE_HOME.format(name=name, key=key, state_name=state_name, pdf_link=pdf_link)),
        "/team": Page(PRACTICE_TEAM.format(name=name, people=block, first_slug=slug, first_name=first_name)),
        f"/team/{slug}": Page(f"<h1>{first_name}, {first_creds}</h1><p>{first_name} provides ketamine-assisted "
                              f"psychotherapy in {state_name}.</p>"),
        "/ketamine-assisted-psychotherapy": Page("<h1>KAP</h1><p>Preparation, dosing and integration sessions. "
                                                 "Ketamine is prescribed by Journey Clinical.</p>"),
        "/fees": Page("<h1>Fees</h1><p>Each KAP dosing session is $450. We provide superbills for "
                      "out-of-network reimbursement.</p>"),
        "/contact": Page(f"<h1>Contact</h1><p>Email hello@{key}.example</p>"),
        "/blog/2024/03/our-new-couch": Page("<h1>Our new couch</h1>"),
        "/robots.txt": Page("User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
    }
    if pdf is not None:
        pages["/intake-packet.pdf"] = Page(pdf, content_type="application/pdf")
    if sitemap:
        urls = "".join(f"<url><loc>http://{key}.example{p}</loc></url>" for p in ("/", "/faq", "/team"))
        pages["/sitemap.xml"] = Page(f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                                     f'sitemap/0.9">{urls}</urlset>', content_type="application/xml")
        pages["/faq"] = Page("<h1>FAQ</h1><p>Is KAP covered by insurance? No.</p>")  # linked only from the sitemap
    return pages


FAULT_HOST = "faulty.example"


def fault_site() -> dict[str, Page | Handler]:
    """One site whose home page links to every fault (each link's text makes it worth following)."""
    links = {
        "/team-404": "Our team", "/about-410": "About us", "/services-500": "Services",
        "/fees-busy": "Fees", "/fees-closed": "Pricing", "/contact-hang": "Contact",
        "/faq-drip": "FAQ", "/loop-a": "Locations", "/therapy-huge": "Therapy (huge)",
        "/therapy-stream": "Therapy (stream)", "/about-latin1": "About (latin-1)", "/about-nocharset": "About us",
        "/team-malformed": "Team (malformed)", "/treatment-image": "Treatment photo",
        "/calendar?month=1": "Group calendar",
    }
    anchors = "\n".join(f'<a href="{path}">{text}</a>' for path, text in links.items())
    latin1 = "<html><body><h1>Über uns</h1><p>Renée Müller, LCSW, café-side office in Maryland.</p></body></html>"
    return {
        "/": Page(f"<html><body><h1>Faulty Ketamine Therapy</h1>{anchors}</body></html>"),
        "/team-404": Page("<h1>gone</h1>", status=404, validators=False),
        "/about-410": Page("<h1>gone for good</h1>", status=410, validators=False),
        "/services-500": Page("<h1>oops</h1>", status=500, validators=False),
        "/fees-busy": flaky_503("1"),
        "/fees-closed": Page("<p>closed</p>", status=503, headers={"Retry-After": "3600"}, validators=False),
        "/contact-hang": hang(15),
        "/faq-drip": slow_drip(),
        "/loop-a": redirect_loop,
        "/loop-b": redirect_loop,
        "/therapy-huge": huge_body(),
        "/therapy-stream": huge_body(declare_length=False),
        "/about-latin1": Page(latin1.encode("latin-1"), content_type="text/html; charset=utf-8"),
        "/about-nocharset": Page(latin1.encode("cp1252"), content_type="text/html"),
        "/team-malformed": Page("<html><body><div><h2>Jane Roe, LCSW<p>unclosed <b>tags <table><tr><td>Maryland"),
        "/treatment-image": Page(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png"),
        "/calendar": calendar_trap,
        "/robots.txt": Page("User-agent: *\nAllow: /\n", content_type="text/plain"),
    }


BLOCKED_HOST = "private.example"


def blocked_site() -> dict[str, Page | Handler]:
    return {
        "/": Page("<h1>Private</h1><a href='/team'>Team</a>"),
        "/team": Page("<h1>Team</h1>"),
        "/robots.txt": Page("User-agent: *\nDisallow: /\n", content_type="text/plain"),
    }
