"""Search-form mirrors: Virginia DHP License Lookup (ASP.NET MVC: anti-forgery token, POST, 302 to
/Lookup/Result, ?Page=N paging under div.paging, /Lookup/Detail/{number} with th/td pairs, "too many records"),
Maryland BPCT verification (ASP.NET WebForms: __VIEWSTATE/__EVENTVALIDATION, results grid, DetailsView1)."""

import html
import secrets
from datetime import date

from directory.boards.registry import classify_title
from directory.sample_world.mirrors.core import Mirror, Request, Response, text
from directory.sample_world.mirrors.data import Entry, filler_entries

FILLER = 40


def us_date(value: date | None) -> str:
    return value.strftime("%m/%d/%Y") if value else ""


def esc(value: object) -> str:
    return html.escape(str(value or ""))


def page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{esc(title)}</title></head>"
            f"<body><div id='main'>{body}</div></body></html>")


VA_OCCUPATIONS = [("0701", "Licensed Professional Counselor"), ("0702", "Marriage and Family Therapist"),
                  ("0904", "Licensed Clinical Social Worker"), ("0902", "Licensed Social Worker"),
                  ("0810", "Clinical Psychologist"), ("0101", "Medicine and Surgery"),
                  ("0024", "Nurse Practitioner"), ("1001", "Physician Assistant"), ("0001", "Registered Nurse")]


class VirginiaMirror(Mirror):
    page_size = 10
    too_many = 50
    captcha = False  # a test switch: the search page carries a CAPTCHA widget

    def __init__(self, entries: list[Entry]):
        super().__init__()
        self.entries = entries
        self.sessions: dict[str, dict] = {}

    def handle(self, request: Request) -> Response:
        if request.path == "/Lookup/Index" and request.method == "GET":
            return self.index()
        if request.path == "/Lookup/Index" and request.method == "POST":
            return self.search(request)
        if request.path == "/Lookup/Result":
            return self.result(request)
        if request.path.startswith("/Lookup/Detail/"):
            return self.detail(request.path.removeprefix("/Lookup/Detail/"))
        return text(page("Not Found", "<h1>404</h1>"), status=404)

    def index(self) -> Response:
        session, token = secrets.token_hex(12), secrets.token_hex(16)
        self.sessions[session] = {"token": token, "results": []}
        options = "".join(f"<option value='{v}'>{esc(t)}</option>" for v, t in VA_OCCUPATIONS)
        captcha = "<div class='g-recaptcha' data-sitekey='x'></div>" if self.captcha else ""
        form = (f"<form action='/Lookup/Index' method='post'>"
                f"<input name='__RequestVerificationToken' type='hidden' value='{token}'/>"
                f"<select id='OccupationId' name='OccupationId'><option value=''>-- All --</option>{options}</select>"
                f"<input id='LName' name='LName'/><input id='FName' name='FName'/>"
                f"<select id='State' name='State'><option value=''>All</option><option>VA</option></select>"
                f"<select id='LicStatus' name='LicStatus'><option value='0'>Any</option></select>"
                f"<input type='hidden' name='SearchByOther' value='true'/>{captcha}"
                f"<input type='submit' name='submitBtn' value='Search'/></form>")
        cookie = f"ASP.NET_SessionId={session}; path=/; HttpOnly"
        return text(page("License Lookup", form), **{"Set-Cookie": cookie})

    def search(self, request: Request) -> Response:
        session = self.sessions.get(request.cookies.get("ASP.NET_SessionId", ""))
        form = request.form
        if session is None or form.get("__RequestVerificationToken") != session["token"]:
            return text(page("Error", "<h1>The required anti-forgery form field is not present.</h1>"), status=400)
        last, first = form.get("LName", "").strip().lower(), form.get("FName", "").strip().lower()
        occupation = dict(VA_OCCUPATIONS).get(form.get("OccupationId", ""))
        wanted = classify_title(None, occupation) if occupation else None
        session["results"] = [e for e in self.entries if e.family.lower() == last
                              and e.given.lower().startswith(first)
                              and (wanted is None or classify_title(None, e.record.title) == wanted)]
        return Response(status=302, headers={"Location": "/Lookup/Result"})

    def result(self, request: Request) -> Response:
        session = self.sessions.get(request.cookies.get("ASP.NET_SessionId", ""))
        if session is None:
            return Response(status=302, headers={"Location": "/Lookup/Index"})
        results = session["results"]
        if len(results) > self.too_many:
            return text(page("Results", "<p class='error'>Your search returned too many records. Please refine "
                                        "your search.</p>"))
        if not results:
            return text(page("Results", f"{VA_BANNER}<p>No records found.</p>"))
        number = int(request.query.get("Page", "1") or 1)
        chunk = results[(number - 1) * self.page_size:number * self.page_size]
        return text(page("Results", va_results_html(chunk, number, self.page_size, len(results))))

    def detail(self, number: str) -> Response:
        entry = next((e for e in self.entries if e.record.number == number), None)
        if entry is None:
            return text(page("Not Found", "<h1>License not found</h1>"), status=404)
        return text(page("License Detail", va_detail_html(entry)))


# The live page's layout as public scrapers read it (docs/sources.md, VA DHP; fixture tests/boards/fixtures/va_dhp):
# results in `table.table.table-responsive.table-striped` (tbody rows; an occupation header row per group) with
# links to /Lookup/Detail/{number}, page links under div.paging, and a th/td detail table
# `table.table.table-responsive.borderless`.
VA_BANNER = "<div class='alert'>Not For Commercial Use</div>"


def va_results_html(entries: list[Entry], number: int, page_size: int, total: int) -> str:
    groups: dict[str, list[Entry]] = {}
    for e in entries:
        groups.setdefault(e.record.title, []).append(e)
    rows = "".join(
        f"<tr><td class='OccupationHeader' colspan='4'>{esc(title)}</td></tr>" + "".join(
            f"<tr><td><a href='/Lookup/Detail/{esc(e.record.number)}'>{esc(e.full_name.upper())}</a></td>"
            f"<td>{esc(e.record.number)}</td><td>{esc(e.city or '')}</td><td>{esc(e.record.status_raw)}</td></tr>"
            for e in group)
        for title, group in groups.items())
    pages = (total + page_size - 1) // page_size
    paging = "".join(f"<a href='/Lookup/Result?Page={n}'>{n}</a>" for n in range(1, pages + 1) if n != number)
    if number < pages:
        paging += f"<a href='/Lookup/Result?Page={number + 1}'>Next &gt;</a>"
    return (f"{VA_BANNER}<table class='table table-responsive table-striped'><thead><tr><th>Name</th>"
            f"<th>License Number</th><th>City</th><th>Status</th></tr></thead><tbody>{rows}</tbody></table>"
            f"<div class='paging'>{paging}</div>")


def va_detail_html(entry: Entry) -> str:
    record = entry.record
    fields = [("License Number", record.number), ("Occupation", record.title), ("Name", entry.full_name.upper()),
              ("Address", f"{(entry.city or 'Richmond')}, VA"), ("Initial License Date", us_date(record.issued)),
              ("Expire Date", us_date(record.expires)), ("License Status", record.status_raw),
              ("Additional Public Information", record.discipline or "None")]
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in fields)
    return f"{VA_BANNER}<table class='table table-responsive borderless'><tbody>{rows}</tbody></table>"


class MarylandBPCTMirror(Mirror):
    P = "ctl00$bodyContentPlaceHolder$"

    def __init__(self, entries: list[Entry]):
        super().__init__()
        self.entries = entries
        self.issued: dict[str, str] = {}  # __VIEWSTATE -> __EVENTVALIDATION handed out

    def handle(self, request: Request) -> Response:
        if request.path.lower() == "/pctverification/default.aspx":
            return self.search(request) if request.method == "POST" else self.form()
        if request.path.lower() == "/pctverification/details.aspx":
            return self.detail(request.query.get("LicNo", ""))
        return text(page("Not Found", "<h1>404</h1>"), status=404)

    def _form(self, inner: str = "") -> str:
        state, validation = secrets.token_urlsafe(48), secrets.token_urlsafe(24)
        self.issued[state] = validation
        p, i = self.P, "bodyContentPlaceHolder_"
        return (f"<form method='post' action='./default.aspx' id='form1'>"
                f"<input type='hidden' name='__VIEWSTATE' id='__VIEWSTATE' value='{state}'/>"
                f"<input type='hidden' name='__VIEWSTATEGENERATOR' id='__VIEWSTATEGENERATOR' value='CA0B0334'/>"
                f"<input type='hidden' name='__EVENTVALIDATION' id='__EVENTVALIDATION' value='{validation}'/>"
                f"<input name='{p}lastNameSearch' type='text' id='{i}lastNameSearch'/>"
                f"<input name='{p}firstNameSearch' type='text' id='{i}firstNameSearch'/>"
                f"<input type='submit' name='{p}search1' value='Search' id='{i}search1'/>"
                f"<input name='{p}licenseNoSearch' type='text' id='{i}licenseNoSearch'/>"
                f"<input type='submit' name='{p}search2' value='Search' id='{i}search2'/>{inner}</form>")

    def form(self) -> Response:
        return text(page("License Verification", self._form()))

    def search(self, request: Request) -> Response:
        form = request.form
        if self.issued.get(form.get("__VIEWSTATE", "")) != form.get("__EVENTVALIDATION"):
            return text(page("Error", "<h1>Invalid postback or callback argument.</h1>"), status=500)
        p = self.P
        if f"{p}search2" in form:
            number = form.get(f"{p}licenseNoSearch", "").strip().upper()
            hits = [e for e in self.entries if e.record.number.upper() == number]
        else:
            last = form.get(f"{p}lastNameSearch", "").strip().lower()
            first = form.get(f"{p}firstNameSearch", "").strip().lower()
            hits = [e for e in self.entries if e.family.lower() == last and e.given.lower().startswith(first)]
        if not hits:
            grid = "<span id='bodyContentPlaceHolder_lblNoResults'>No records found.</span>"
        else:
            rows = "".join(
                f"<tr><td>{esc(e.full_name)}</td><td>{esc(e.record.number)}</td><td>{esc(e.record.title)}</td>"
                f"<td>{esc(e.record.status_raw)}</td><td><a href='Details.aspx?LicNo={esc(e.record.number)}'>"
                f"View Details</a></td></tr>" for e in hits)
            grid = ("<table id='bodyContentPlaceHolder_gvResults' class='grid'><tr><th>Name</th><th>License Number"
                    f"</th><th>License Type</th><th>Status</th><th></th></tr>{rows}</table>")
        return text(page("License Verification", self._form(grid)))

    def detail(self, number: str) -> Response:
        entry = next((e for e in self.entries if e.record.number.upper() == number.upper()), None)
        if entry is None:
            return text(page("Details", "<span>No record.</span>"), status=404)
        record = entry.record
        fields = [("Name", entry.full_name), ("License Number", record.number), ("License Type", record.title),
                  ("License Status", record.status_raw), ("Issue Date", us_date(record.issued)),
                  ("Expiration Date", us_date(record.expires)), ("Public Orders", record.discipline or "None")]
        rows = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in fields)
        return text(page("Details", f"<table id='DetailsView1' class='detailsview'>{rows}</table>"))


FACTORIES = {
    "va_dhp": lambda world, entries: VirginiaMirror(entries + filler_entries("va_dhp", FILLER)),
    "md_bpct": lambda world, entries: MarylandBPCTMirror(entries + filler_entries("md_bpct", FILLER)),
}
