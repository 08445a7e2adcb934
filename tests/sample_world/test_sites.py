"""Rendered sites agree with the world, in six visibly different styles, with safe escaping."""

import io
import json
import re
from urllib.parse import urljoin, urlsplit

import extruct
import pypdf
import pytest
from bs4 import BeautifulSoup

from directory.sample_world.sites import (
    HTML,
    PDF,
    STYLES,
    listing_page_count,
    phone_display,
    render_listing,
    render_site,
    render_world,
    state_name,
)
from directory.sample_world.world import load_world


@pytest.fixture(scope="module")
def world():
    return load_world()


@pytest.fixture(scope="module")
def sites(world):
    return {p.key: render_site(p) for p in world.practices}


def soup(body: bytes) -> BeautifulSoup:
    return BeautifulSoup(body, "lxml")


_TEXTS: dict[int, tuple[dict, str]] = {}


def site_text(site) -> str:
    """All visible text of a site's HTML pages (memoised per site object, which the memo keeps alive)."""
    cached = _TEXTS.get(id(site))
    if cached is None or cached[0] is not site:
        cached = (site, " ".join(soup(body).get_text(" ") for ctype, body in site.values() if ctype == HTML))
        _TEXTS[id(site)] = cached
    return cached[1]


def practice(world, key):
    return next(p for p in world.practices if p.key == key)


def test_every_site_has_the_core_pages(world, sites):
    for p in world.practices:
        site = sites[p.key]
        html_pages = [path for path, (ctype, _) in site.items() if ctype == HTML]
        assert "/" in site and len(html_pages) >= 6, p.key
        for path in html_pages:
            assert soup(site[path][1]).title.get_text().strip(), (p.key, path)


def test_six_styles_are_visibly_different(world, sites):
    assert len(STYLES) == 6
    markers = {
        "squarespace": 'content="Squarespace"', "wix": "wixui-rich-text", "wordpress": "WordPress 6",
        "jsonld": "application/ld+json", "microdata": "itemscope", "handmade": "<table width=",
    }
    for p in world.practices:
        home = sites[p.key]["/"][1].decode()
        assert markers[p.template] in home, p.key
        for other, marker in markers.items():
            if other not in (p.template, "jsonld", "microdata"):
                assert marker not in home, (p.key, other)


def test_site_text_agrees_with_the_world(world, sites):
    for p in world.practices:
        text = re.sub(r"\s+", " ", site_text(sites[p.key]))
        for clinician in p.clinicians:
            name = clinician.site_name.partition(", ")[0]
            assert name in text, (p.key, name)
            for credential in clinician.credentials:
                assert credential in text, (p.key, credential)
        for area in p.states:
            assert state_name(area.state) in text, (p.key, area.state)
        assert phone_display(p.phone) in text
        for loc in p.locations:
            assert loc.street in text and loc.zip in text and loc.city in text
        for amount in p.prices_usd:
            assert f"${amount:,.0f}" in text, (p.key, amount)
        if p.medical_partner:
            assert p.medical_partner in text
        for city in p.cities_served:
            assert city in text
        for county in p.counties_served:
            assert county in text


def test_virtual_only_and_in_person_only_phrasing(world, sites):
    harbor = site_text(sites["harborlightkap"])
    assert "Connecticut (in person and online) and Maryland, Virginia, and Florida (virtual only)" in harbor
    assert "licensed by the CT Dept. of Public Health" in harbor
    clinic = site_text(sites["clearwaterinfusion"])
    assert "Florida (in person only)" in clinic
    assert "do not offer psychotherapy" in clinic or "therapy is not included" in clinic


def test_phrasing_varies_between_sites(world, sites):
    therapy_openings = {site_text(sites[p.key]).count("Every dosing session is paired") > 0 for p in world.practices}
    assert therapy_openings == {True, False}
    assert sum("rapid-dissolve tablets (RDT)" in site_text(sites[p.key]) for p in world.practices) >= 3


def test_mentions_that_are_not_service_areas_are_present(world, sites):
    assert "Washington Post" in site_text(sites["jamesriverpsych"])
    assert "Virginia Ave NE" in site_text(sites["peachtreemindful"])
    assert "California Institute of Integral Studies" in site_text(sites["cascadecircle"])


def test_contradicting_pages(world, sites):
    p = practice(world, "riverbendhartford")
    site = sites[p.key]
    team = soup(site["/team"][1]).get_text(" ")
    bio_path = next(path for path in site if path.startswith("/team-members/"))
    bio = soup(site[bio_path][1]).get_text(" ")
    assert "LCSW" in team and "LMFT" not in team
    assert "Jordan Whitfield, LMFT" in bio and "LCSW" not in bio.replace("Jordan Whitfield, LCSW", "")


def test_hostile_payload_is_text_never_markup(world, sites):
    p = next(p for p in world.practices if p.hostile)
    site = sites[p.key]
    text = site_text(site)
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text
    for ctype, body in site.values():
        if ctype != HTML:
            continue
        doc = soup(body)
        assert all(s.get("type") == "application/ld+json" for s in doc.find_all("script"))
        assert not doc.find_all("img") and not doc.find_all(attrs={"onerror": True})
        assert not doc.find_all("a", href=re.compile("^javascript:", re.I))


def test_json_ld_and_microdata_parse_with_extruct(world, sites):
    for p in world.practices:
        if p.template not in ("jsonld", "microdata"):
            continue
        data = extruct.extract(sites[p.key]["/"][1].decode(), base_url=p.url, syntaxes=["json-ld", "microdata"])
        if p.template == "jsonld":
            clinic = next(item for item in data["json-ld"] if item["@type"] == "MedicalClinic")
            assert clinic["name"] == p.name and clinic["telephone"] == p.phone
            assert {a["name"] for a in clinic["areaServed"]} == {state_name(a.state) for a in p.states}
            assert len(clinic["employee"]) == len(p.clinicians)
        else:
            business = data["microdata"][0]
            assert business["type"] == "https://schema.org/MedicalBusiness"
            team = extruct.extract(sites[p.key]["/about-us"][1].decode(), syntaxes=["microdata"])["microdata"][0]
            people = team["properties"]["employee"]
            people = people if isinstance(people, list) else [people]
            assert len(people) == len(p.clinicians)


def test_internal_links_all_resolve(world, sites):
    for p in world.practices:
        site = sites[p.key]
        for path, (ctype, body) in site.items():
            if ctype != HTML:
                continue
            for a in soup(body).find_all("a", href=True):
                target = urlsplit(urljoin(p.url + path.lstrip("/"), a["href"]))
                if target.scheme == "mailto" or target.hostname != p.host:
                    assert target.scheme == "mailto" or target.hostname.endswith(".example"), a["href"]
                    continue
                assert target.path in site, (p.key, path, a["href"])


def test_external_links_point_off_site(world, sites):
    hosts = {p.host for p in world.practices}
    for p in world.practices:
        for url in (p.booking_url, p.prescriber_site):
            if url:
                assert urlsplit(url).hostname not in hosts
                assert url in sites[p.key]["/"][1].decode() or url in sites[p.key].get("/fees", ("", b""))[1].decode()


def test_robots_and_sitemaps(world, sites):
    with_rules = [p for p in world.practices if p.robots_disallow]
    with_maps = [p for p in world.practices if p.sitemap]
    assert with_rules and with_maps and any(not p.sitemap and not p.robots_disallow for p in world.practices)
    for p in with_rules:
        robots = sites[p.key]["/robots.txt"][1].decode()
        for path in p.robots_disallow:
            assert f"Disallow: {path}" in robots
            assert path in sites[p.key], "the disallowed page exists, so obeying robots.txt is observable"
    for p in with_maps:
        xml = sites[p.key]["/sitemap.xml"][1].decode()
        locs = re.findall(r"<loc>(.*?)</loc>", xml)
        assert locs and all(urlsplit(u).path in sites[p.key] for u in locs)
        assert not any(urlsplit(u).path.startswith(tuple(p.robots_disallow or ["\0"])) for u in locs)
        assert f"Sitemap: {p.url}sitemap.xml" in sites[p.key]["/robots.txt"][1].decode()


def test_pdfs_are_real_and_readable(world, sites):
    with_pdf = [p for p in world.practices if p.pdf]
    assert with_pdf
    for p in with_pdf:
        ctype, body = sites[p.key]["/files/intake-packet.pdf"]
        assert ctype == PDF and body.startswith(b"%PDF-")
        text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)
        assert p.name in text
        for amount in p.prices_usd:
            assert f"${amount:,.0f}" in text


def test_listing_paginates_over_every_practice(world):
    listing = render_listing(world)
    pages = listing_page_count(world)
    assert pages >= 4
    seen = []
    for number in range(1, pages + 1):
        doc = soup(listing[f"/practices?page={number}"][1])
        seen += [a["href"] for a in doc.select("ol.results a")]
        assert bool(doc.find("a", string="Next")) == (number < pages)
    assert seen == [p.url for p in world.practices]


def test_render_world_covers_every_host(world):
    hosts = render_world(world)
    assert set(hosts) == {p.host for p in world.practices} | {world.listing_host}


def test_json_ld_cannot_break_out_of_its_script():
    from directory.sample_world.sites import json_ld

    html = json_ld({"name": "</script><script>alert(1)</script>"})
    assert html.count("</script>") == 1
    assert json.loads(html.removeprefix('<script type="application/ld+json">').removesuffix("</script>"))["name"] \
        == "</script><script>alert(1)</script>"


def test_site_truth_matches_what_the_pages_say(world, sites):
    from directory.sample_world.world import site_truth

    for p in world.practices:
        truth = site_truth(p)
        text = site_text(sites[p.key])
        assert truth["practice_name"] in text
        assert {s["state"] for s in truth["states"]} == {a.state for a in p.states}
        for city in truth["cities"]:
            assert city["city"] in text
        for clinician in truth["clinicians"]:
            assert all(code in text for code in clinician["credentials"]), (p.key, clinician)
        assert truth["emails"] == [p.email] and p.email in text


def test_rendering_is_deterministic_so_etags_survive_restarts(world):
    first = render_world(world)
    again = render_world(load_world())
    assert first == again


def test_synthetic_sites_render_and_list():
    from directory.sample_world.world import synthetic_world

    big = synthetic_world(200, seed=3)
    for p in big.practices:
        site = render_site(p)
        assert "/" in site and p.name in site_text(site)
    listing = render_listing(big)
    assert len([path for path in listing if path.startswith("/practices?page=")]) == 20
