"""Search-form mirrors: Virginia DHP License Lookup (ASP.NET MVC: anti-forgery token, POST, 302 to
/Lookup/Result, ?Page=N paging under div.paging, /Lookup/Detail/{number} with th/td pairs, "too many records"),
Maryland BPCT verification (ASP.NET WebForms: __VIEWSTATE/__EVENTVALIDATION, results grid, DetailsView1), and
Nursys QuickConfirm as modelled (its HTML is UNCONFIRMED: token, POST, results table, detail with "Multistate")."""

import dataclasses
import html
import secrets
from datetime import date

from directory.boards.mirrors.core import Mirror, Request, Response, text
from directory.boards.mirrors.data import Entry, filler_entries
from directory.boards.registry import classify_title

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
            return text(page("Results", "<p class='no-results'>No records found.</p>"))
        number = int(request.query.get("Page", "1") or 1)
        chunk = results[(number - 1) * self.page_size:number * self.page_size]
        rows = "".join(
            f"<tr><td>{esc(e.full_name)}</td><td>{esc(e.record.title)}</td><td>{esc(e.record.status_raw)}</td>"
            f"<td><a href='/Lookup/Detail/{esc(e.record.number)}'>{esc(e.record.number)}</a></td></tr>"
            for e in chunk)
        pages = (len(results) + self.page_size - 1) // self.page_size
        paging = "".join(f"<a href='/Lookup/Result?Page={n}'>{n}</a>" for n in range(1, pages + 1) if n != number)
        table = ("<table class='results'><tr><th>Name</th><th>Occupation</th><th>Status</th><th>License</th></tr>"
                 f"{rows}</table><div class='paging'>{paging}</div>")
        return text(page("Results", table))

    def detail(self, number: str) -> Response:
        entry = next((e for e in self.entries if e.record.number == number), None)
        if entry is None:
            return text(page("Not Found", "<h1>License not found</h1>"), status=404)
        record = entry.record
        fields = [("Name", entry.full_name.upper()), ("License Number", record.number), ("Occupation", record.title),
                  ("Status", record.status_raw), ("Issue/Initial date", us_date(record.issued)),
                  ("Expire date", us_date(record.expires)),
                  ("Address", f"{(entry.city or 'Richmond')}, VA"),
                  ("Additional Public Information", record.discipline or "None")]
        rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in fields)
        return text(page("License Detail", f"<table class='detail'>{rows}</table>"))


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


NURSYS_TYPES = [("RN", "RN"), ("APRN-CNP", "APRN-CNP"), ("LPN", "LPN/VN")]


class NursysMirror(Mirror):
    """Nursys QuickConfirm, as modelled (the real HTML is UNCONFIRMED; see directory/boards/nursys.py): a search
    form with an anti-forgery token tied to a session cookie, a results table, and a detail table whose
    'Multistate' field says Yes or No. Searches are national unless a jurisdiction is picked."""

    captcha = False  # a test switch: the search page carries a CAPTCHA widget

    def __init__(self, entries: list[Entry]):
        super().__init__()
        self.entries = entries
        self.sessions: dict[str, str] = {}  # session cookie -> token

    def handle(self, request: Request) -> Response:
        if request.path == "/LQC/Search":
            return self.search(request) if request.method == "POST" else self.form()
        if request.path == "/LQC/Detail":
            return self.detail(request.query.get("jurisdiction", ""), request.query.get("licenseNumber", ""))
        return text(page("Not Found", "<h1>404</h1>"), status=404)

    def form(self) -> Response:
        session, token = secrets.token_hex(12), secrets.token_hex(16)
        self.sessions[session] = token
        states = "".join(f"<option value='{s}'>{s}</option>" for s in sorted({e.record.state for e in self.entries}))
        types = "".join(f"<option value='{v}'>{esc(t)}</option>" for v, t in NURSYS_TYPES)
        captcha = "<div class='g-recaptcha' data-sitekey='x'></div>" if self.captcha else ""
        form = (f"<form id='quickConfirmSearch' action='/LQC/Search' method='post'>"
                f"<input type='hidden' name='__RequestVerificationToken' value='{token}'/>"
                f"<input name='FirstName'/><input name='LastName'/><input name='LicenseNumber'/>"
                f"<select name='Jurisdiction'><option value=''>All Jurisdictions</option>{states}</select>"
                f"<select name='LicenseType'><option value=''>All License Types</option>{types}</select>"
                f"{captcha}<input type='submit' name='Search' value='Search'/></form>")
        return text(page("QuickConfirm License Verification", form),
                    **{"Set-Cookie": f"NursysSession={session}; path=/; HttpOnly"})

    def search(self, request: Request) -> Response:
        form = request.form
        token = self.sessions.get(request.cookies.get("NursysSession", ""))
        if token is None or form.get("__RequestVerificationToken") != token:
            return text(page("Error", "<h1>Your session has expired. Please search again.</h1>"), status=400)
        number = form.get("LicenseNumber", "").strip().upper()
        last, first = form.get("LastName", "").strip().lower(), form.get("FirstName", "").strip().lower()
        state, kind = form.get("Jurisdiction", "").strip().upper(), form.get("LicenseType", "").strip().upper()
        if number:
            hits = [e for e in self.entries if e.record.number.upper() == number]
        elif last:
            hits = [e for e in self.entries if e.family.lower() == last and e.given.lower().startswith(first)]
        else:
            return text(page("Error", "<p class='error'>Enter a license number or a last name.</p>"), status=400)
        hits = [e for e in hits if (not state or e.record.state == state)
                and (not kind or e.record.title.upper() == kind)]
        if not hits:
            return text(page("QuickConfirm Results", "<p id='lqcNoResults'>No records found.</p>"))
        rows = "".join(
            f"<tr><td>{esc(e.full_name)}</td><td>{esc(e.record.state)}</td><td>{esc(e.record.title)}</td>"
            f"<td>{esc(e.record.number)}</td><td>{esc(e.record.status_raw)}</td>"
            f"<td><a href='/LQC/Detail?jurisdiction={esc(e.record.state)}&amp;licenseNumber={esc(e.record.number)}'>"
            f"Details</a></td></tr>" for e in hits)
        table = ("<table id='lqcResults'><tr><th>Name</th><th>Jurisdiction</th><th>License Type</th>"
                 f"<th>License Number</th><th>Status</th><th></th></tr>{rows}</table>")
        return text(page("QuickConfirm Results", table))

    def detail(self, state: str, number: str) -> Response:
        entry = next((e for e in self.entries if e.record.state == state.upper()
                      and e.record.number.upper() == number.upper()), None)
        if entry is None:
            return text(page("Not Found", "<h1>License not found</h1>"), status=404)
        record = entry.record
        fields = [("Name", entry.full_name.upper()), ("Jurisdiction", record.state), ("License Type", record.title),
                  ("License Number", record.number), ("License Status", record.status_raw),
                  ("Original Issue Date", us_date(record.issued)), ("Expiration Date", us_date(record.expires)),
                  ("Multistate", "Yes" if record.multistate else "No"),
                  ("Discipline Against License", "Yes" if record.discipline else "No")]
        if record.discipline:
            fields.append(("Discipline Details", record.discipline))
        rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in fields)
        return text(page("QuickConfirm License Detail", f"<table id='lqcDetail'>{rows}</table>"))


def nursys_fillers() -> list[Entry]:
    """Fictional nurses in two NLC states, every other license multistate."""
    entries = filler_entries("nursys", FILLER // 2, state="TX") + filler_entries("nursys", FILLER // 2, state="NC",
                                                                                  seed=8)
    return [dataclasses.replace(e, record=dataclasses.replace(e.record, multistate=bool(i % 2)))
            if e.record.license_class == "registered_nurse" else e for i, e in enumerate(entries)]


FACTORIES = {
    "va_dhp": lambda world, entries: VirginiaMirror(entries + filler_entries("va_dhp", FILLER)),
    "md_bpct": lambda world, entries: MarylandBPCTMirror(entries + filler_entries("md_bpct", FILLER)),
    "nursys": lambda world, entries: NursysMirror(entries + nursys_fillers()),
}
