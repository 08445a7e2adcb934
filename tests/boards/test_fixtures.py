"""The look-up adapters read the real formats (tests/boards/fixtures, written from the public evidence cited in
docs/sources.md, independent of the adapters), served over real loopback HTTP; and each mirror the demo serves
answers in the same layout as its fixture."""

import json
import re
from pathlib import Path

import pytest
from parsel import Selector

from directory.boards.adapters import make_adapter
from directory.boards.base import LookupQuery, flat_keys
from directory.boards.lookup import lookup_clinicians
from directory.sample_world.mirrors.api import CompactMirror, NpiMirror
from directory.sample_world.mirrors.core import Mirror, MirrorServer, Request, Response, text
from directory.sample_world.mirrors.data import Entry
from directory.sample_world.mirrors.forms import va_detail_html, va_results_html
from directory.sample_world.schema import TrueClinician, TrueRecord

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(path: str) -> str:
    return (FIXTURES / path).read_text()


class FixtureMirror(Mirror):
    """Answers each (method, path) with a fixture (or a function of the request); 404 otherwise."""

    def __init__(self, routes):
        super().__init__()
        self.routes = routes
        self.bodies: list[bytes] = []

    def handle(self, request: Request) -> Response:
        self.bodies.append(request.body)
        for (method, pattern), answer in self.routes.items():
            if method == request.method and re.fullmatch(pattern, request.path):
                return answer(request) if callable(answer) else answer
        return text("Not Found", status=404)


@pytest.fixture
def serve(boards):
    servers = []

    def start(routes) -> tuple[str, FixtureMirror]:
        server = MirrorServer(FixtureMirror(routes))
        servers.append(server)
        return server.url, server.mirror

    yield start
    for server in servers:
        server.stop()


def as_json(body: str, status: int = 200) -> Response:
    return text(body, "application/json", status=status)


# --- CompactConnect ----------------------------------------------------------------------------------------

QUERY = r"/v1/public/compacts/coun/providers/query"
DETAIL = r"/v1/public/compacts/coun/providers/[0-9a-f-]+"


def compact_routes(bad_family: str | None = None):
    def query(request: Request) -> Response:
        body = json.loads(request.body)
        if "givenName" in body["query"] and not body["query"]["givenName"]:
            return as_json(fixture("compactconnect/given_name_empty_400.json"), 400)
        if body["query"].get("familyName") == bad_family:
            return as_json('{"message": "Internal server error"}', 502)
        return as_json(fixture("compactconnect/query.json"))

    return {("POST", QUERY): query, ("GET", DETAIL): as_json(fixture("compactconnect/provider.json"))}


def test_compact_reads_the_public_shape(serve):
    url, _mirror = serve(compact_routes())
    adapter = make_adapter("counseling_compact", base_url=url)
    query = LookupQuery("Odile Fairweather", "MN", "professional_counselor")
    records = {r.state: r for _q, r in adapter.lookup([query])}
    assert set(records) == {"MN", "CO"} and adapter.errors == {}
    mn, co = records["MN"], records["CO"]
    assert mn.kind == "compact_privilege" and mn.home_state == "AZ" and mn.record_key == "LPC-MN-212"
    assert mn.license_number is None, "public answers never carry a license number"
    assert mn.status == "active" and not mn.discipline and mn.expiry_date.isoformat() == "2027-05-31"
    assert mn.issue_date.isoformat() == "2025-10-14", "dateOfIssuance is an ISO timestamp"
    assert co.discipline and "adverse action against the privilege (CO) since 2026-02-20" in co.discipline_text
    assert co.status == "inactive", "an encumbered privilege is inactive"


def test_compact_never_sends_an_empty_given_name(serve):
    url, mirror = serve(compact_routes())
    adapter = make_adapter("counseling_compact", base_url=url)
    list(adapter.lookup([LookupQuery("Dr. Fairweather", "MN", "professional_counselor")]))  # no given name
    assert adapter.errors == {}, "an empty givenName would get HTTP 400"
    sent = [json.loads(b) for b in mirror.bodies if b]
    assert sent and all("givenName" not in body["query"] for body in sent)


def test_compact_batch_survives_one_bad_query(serve, engine, monkeypatch):
    url, _mirror = serve(compact_routes(bad_family="Broken"))
    monkeypatch.setenv("KAPDIR_SOURCE_URLS", json.dumps({"counseling_compact": url}))
    from directory.settings import get_settings

    get_settings.cache_clear()
    good, bad = (LookupQuery("Odile Fairweather", "MN", "professional_counselor"),
                 LookupQuery("Ana Broken", "MN", "professional_counselor"))
    (outcome,) = lookup_clinicians(engine, [good, bad], sources=["counseling_compact"])
    assert outcome.status == "ok" and outcome.records == 2
    assert list(outcome.errors) == [bad.key] and "HTTP 502" in outcome.errors[bad.key]


def test_compact_mirror_answers_in_the_fixture_layout(world):
    entries = [Entry(record=r, given=c.name.split()[0], middle="", family=c.name.split()[-1], suffix="",
                     clinician=c) for p in world.practices for c in p.clinicians for r in c.records
               if r.source == "counseling_compact"]
    mirror = CompactMirror(entries)
    provider = next(iter(mirror.providers.values()))
    body = json.dumps({"query": {"familyName": provider["familyName"]}}).encode()
    answer = json.loads(mirror.handle(Request("POST", QUERY.replace("\\", ""), {}, {}, body, {})).body)
    detail = json.loads(mirror.handle(Request("GET", f"/v1/public/compacts/coun/providers/"
                                                     f"{provider['providerId']}", {}, {}, b"", {})).body)
    real_query, real_detail = json.loads(fixture("compactconnect/query.json")), json.loads(
        fixture("compactconnect/provider.json"))
    assert answer.keys() == real_query.keys() and answer["pagination"].keys() == real_query["pagination"].keys()
    optional = {"npi", "middleName", "suffix"}  # optional in ProviderPublicResponseSchema
    for ours, theirs in ((answer["providers"][0], real_query["providers"][0]), (detail, real_detail)):
        assert set(ours) - {"privileges"} <= set(theirs) and set(theirs) - set(ours) <= optional
    assert flat_keys(detail["privileges"]) - {"activeSince"} == flat_keys(real_detail["privileges"]) - {
        "activeSince"} - {k for k in flat_keys(real_detail["privileges"]) if k.startswith("adverseActions.")}
    assert "licenseNumber" not in json.dumps(answer) + json.dumps(detail)
    empty = mirror.handle(Request("POST", "/v1/public/compacts/coun/providers/query", {}, {},
                                  b'{"query": {"familyName": "X", "givenName": ""}}', {}))
    assert empty.status == 400, "givenName must be at least one character"


# --- NPPES -------------------------------------------------------------------------------------------------


def test_npi_reads_both_captured_shapes(serve):
    url, _mirror = serve({("GET", r"/api/?"): as_json(fixture("nppes/search.json"))})
    got = [r for _q, r in make_adapter("npi", base_url=url).lookup([LookupQuery("Wren Holloway", "OH")])]
    assert [(r.npi, r.license_class, r.license_number) for r in got] == [
        ("1457392018", "professional_counselor", "E.1700412"), ("1831190413", "psychologist", "6612")]
    assert all(r.suffix is None and r.status == "active" for r in got)


def test_npi_errors_array_is_a_miss_not_a_failure(serve):
    url, _mirror = serve({("GET", r"/api/?"): as_json(fixture("nppes/errors.json"))})
    adapter = make_adapter("npi", base_url=url)
    assert list(adapter.lookup([LookupQuery("Wren Holloway", "OH")])) == []
    assert "No valid search criteria" in next(iter(adapter.misses.values()))


def test_npi_mirror_answers_in_the_fixture_layout():
    clinician = TrueClinician(name="Pat Roe", site_name="Pat Roe", role="therapist", credentials=["LPC"])
    mirror = NpiMirror([Entry(record=TrueRecord(source="npi", state="OH", license_class="professional_counselor",
                                                title="Counselor", number=n, status_raw="A", status="active",
                                                kind="npi"), given="Pat", middle="", family="Roe", suffix="",
                              clinician=clinician) for n in ("1457392018", "1831190413")])
    ours = json.loads(mirror.handle(Request("GET", "/api/", {"version": "2.1", "last_name": "Roe"}, {}, b"",
                                            {})).body)["results"]
    theirs = json.loads(fixture("nppes/search.json"))["results"]
    for mine, real in zip(ours, theirs, strict=True):  # new shape (even NPI), then the older one (odd)
        assert set(mine) - {"practiceLocations"} == set(real) - {"practiceLocations"}
        assert set(mine["basic"]) - {"middle_name"} == set(real["basic"]) - {"middle_name"}
        assert type(mine["number"]) is type(real["number"]), "string in the 2026 shape, integer before"


# --- Virginia DHP ------------------------------------------------------------------------------------------


def va_routes():
    def detail(request: Request) -> Response:
        number = request.path.rsplit("/", 1)[-1]
        page = fixture("va_dhp/detail.html")
        if number != "0701012345":
            page = page.replace("0701012345", number).replace("Current Active", "Expired")
        return text(page)

    return {("GET", r"/Lookup/Index"): text(fixture("va_dhp/index.html")),
            ("POST", r"/Lookup/Index"): Response(status=302, headers={"Location": "/Lookup/Result"}),
            ("GET", r"/Lookup/Result"): text(fixture("va_dhp/result.html")),
            ("GET", r"/Lookup/Detail/\d+"): detail}


def test_va_reads_the_live_layout(serve):
    url, _mirror = serve(va_routes())
    got = {r.license_number: r for _q, r in make_adapter("va_dhp", base_url=url).lookup(
        [LookupQuery("Perrin Thistlewood", "VA", "professional_counselor")])}
    assert set(got) == {"0701012345", "0701019876"}
    live = got["0701012345"]
    assert live.status == "active" and live.status_raw == "Current Active"
    assert live.issue_date.isoformat() == "2016-03-14" and live.expiry_date.isoformat() == "2027-06-30"
    assert live.license_class == "professional_counselor" and live.city == "Roanoke" and not live.discipline
    assert got["0701019876"].status == "expired"


def test_va_too_many_records_fails_that_query_only(serve):
    routes = {**va_routes(), ("GET", r"/Lookup/Result"): text(fixture("va_dhp/too_many.html"))}
    url, _mirror = serve(routes)
    adapter = make_adapter("va_dhp", base_url=url)
    query = LookupQuery("Perrin Smith", "VA", None)
    assert list(adapter.lookup([query])) == [] and "too many records" in adapter.errors[query]


def layout(html: str) -> dict:
    page = Selector(text=html)
    return {
        "result_tables": sorted(set(page.css("table:has(a[href*='/Lookup/Detail/'])").xpath("@class").getall())),
        "links_in_rows": bool(page.css("table tr a[href*='/Lookup/Detail/']")),
        "group_rows": bool(page.css("td.OccupationHeader")),
        "paging": bool(page.css("div.paging a")),
        "detail_tables": sorted(set(page.css("table:has(th)").xpath("@class").getall())),
        "labels": page.css("table tr th::text").getall(),
        "banner": "Not For Commercial Use" in html,
    }


def test_va_mirror_answers_in_the_fixture_layout():
    record = TrueRecord(source="va_dhp", state="VA", license_class="professional_counselor",
                        title="Licensed Professional Counselor", number="0701012345", status_raw="Current Active",
                        status="active")
    entry = Entry(record=record, given="Perrin", middle="J", family="Thistlewood", suffix="", city="Roanoke")
    ours, theirs = layout(va_results_html([entry], 1, 1, 2)), layout(fixture("va_dhp/result.html"))
    assert {k: v for k, v in ours.items() if k != "labels"} == {k: v for k, v in theirs.items() if k != "labels"}
    ours, theirs = layout(va_detail_html(entry)), layout(fixture("va_dhp/detail.html"))
    assert ours["detail_tables"] == theirs["detail_tables"] == ["table table-responsive borderless"]
    assert ours["labels"] == theirs["labels"]


# --- Maryland BPCT (layout UNCONFIRMED) ---------------------------------------------------------------------


def test_md_bpct_reads_its_modelled_layout(serve):
    routes = {("GET", r"/pctverification/default.aspx"): text(fixture("md_bpct/results.html")),
              ("POST", r"/pctverification/default.aspx"): text(fixture("md_bpct/results.html")),
              ("GET", r"/pctverification/Details.aspx"): text(fixture("md_bpct/details.html"))}
    url, _mirror = serve(routes)
    (record,) = [r for _q, r in make_adapter("md_bpct", base_url=url).lookup(
        [LookupQuery("Ingrid Fairlight", "MD", "professional_counselor")])]
    assert (record.license_number, record.status, record.license_class) == ("LC0921", "expired",
                                                                              "professional_counselor")


def test_check_reports_unknown_and_missing_fields(serve, monkeypatch):
    """`kapdir boards check` on an NPPES answer whose format drifted from the captured one."""
    from directory.boards.check import check_sources
    from directory.settings import get_settings

    drifted = json.loads(fixture("nppes/search.json"))
    for result in drifted["results"]:
        result["basic"]["pronouns"] = "they/them"  # a field no capture shows
        for taxonomy in result["taxonomies"]:
            del taxonomy["license"]  # a field the adapter reads
    url, _mirror = serve({("GET", r"/api/?"): as_json(json.dumps(drifted))})
    monkeypatch.setenv("KAPDIR_SOURCE_URLS", json.dumps({"npi": url}))
    get_settings.cache_clear()
    (result,) = check_sources(["npi"])
    assert result.status == "changed"
    assert result.line() == ("npi: reachable, format changed: unknown fields: basic.pronouns; "
                             "missing fields: taxonomies.license")
    url, _mirror = serve({("GET", r"/api/?"): as_json(fixture("nppes/search.json"))})
    monkeypatch.setenv("KAPDIR_SOURCE_URLS", json.dumps({"npi": url}))
    get_settings.cache_clear()
    assert check_sources(["npi"])[0].status == "ok", "the captured format is as expected"


def test_md_bpct_mirror_answers_in_the_fixture_layout():
    from directory.sample_world.mirrors.forms import MarylandBPCTMirror

    record = TrueRecord(source="md_bpct", state="MD", license_class="professional_counselor", title="LCPC",
                        number="LC0921", status_raw="Expired", status="expired")
    mirror = MarylandBPCTMirror([Entry(record=record, given="Ingrid", middle="", family="Fairlight", suffix="")])
    form = Selector(text=mirror.handle(Request("GET", "/pctverification/default.aspx", {}, {}, b"", {})).body.decode())
    state, validation = (form.css(f"#{name}::attr(value)").get() for name in ("__VIEWSTATE", "__EVENTVALIDATION"))
    body = (f"__VIEWSTATE={state}&__EVENTVALIDATION={validation}&ctl00%24bodyContentPlaceHolder%24lastNameSearch="
            f"Fairlight&ctl00%24bodyContentPlaceHolder%24search1=Search").encode()
    answer = mirror.handle(Request("POST", "/pctverification/default.aspx", {}, {}, body, {}))
    ours = Selector(text=answer.body.decode())
    theirs = Selector(text=fixture("md_bpct/results.html"))
    for page in (ours, theirs):
        assert page.css("#bodyContentPlaceHolder_gvResults a[href^='Details.aspx?LicNo=']::text").get() == (
            "View Details")
        assert page.css("input[name='__VIEWSTATE']") and page.css("input[name='__EVENTVALIDATION']")
    detail = Selector(text=mirror.handle(Request("GET", "/pctverification/Details.aspx", {"LicNo": "LC0921"}, {}, b"",
                                                 {})).body.decode())
    labels = [page.css("#DetailsView1 tr td:first-child::text").getall()
              for page in (detail, Selector(text=fixture("md_bpct/details.html")))]
    assert labels[0] == labels[1]
