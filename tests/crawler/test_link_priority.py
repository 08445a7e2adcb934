"""Which links the crawler follows: the home page's menu and footer first (whatever the pages are called), then by
keywords, within the per-site page budget; over real HTTP on loopback."""

from sqlmodel import Session, select

from crawler.links import keyword_hits, menu_links
from crawler.profiles import profile_for
from crawler.run import run_crawl
from directory.db import open_database, resolve_url
from directory.models import Practice, ServiceArea
from directory.sample_world.web import start_sample_web
from directory.sample_world.world import load_world
from tests.crawler.conftest import FAST
from tests.crawler.faults import FaultWeb, Page


def test_menu_links_are_those_in_nav_header_footer_or_a_menu_block():
    page = """<html><body><header><a href="/a">A</a></header><nav><ul><li><a href="/b">B</a></li></ul></nav>
    <div class="menu-main"><a href="/c">C</a></div><div role="navigation"><a href="/d">D</a></div>
    <main><p><a href="/e">E</a></p></main><footer><p><a href="/f">F</a></p></footer></body></html>"""
    assert menu_links(page) == {"/a", "/b", "/c", "/d", "/f"}
    deep = "<nav>" + "<div>" * 5000 + '<a href="/deep">x</a>' + "</div>" * 5000 + "</nav>"
    assert menu_links(deep) == set()  # looked up 25 ancestors at most: bounded on a hostile page
    assert menu_links("") == set()


def test_a_sample_world_menu_page_with_an_unkeyworded_name_is_fetched_and_its_facts_stored(tmp_path):
    world = load_world()
    practice = next(p for p in world.practices if p.facts_page)
    facts_url = f"{practice.url}find-us/"
    # No keyword names it: a keyword filter would never fetch it.
    assert keyword_hits(facts_url, practice.facts_page, profile_for(practice.host)) == 0
    db = tmp_path / "x.db"
    with start_sample_web(world) as web:
        summary = run_crawl(resolve_url(db), [practice.url], proxy=web.proxy_url, overrides=FAST)
        fetched = {hit.path for hit in web.fetched(practice.host)}
    assert summary["status"] == "finished" and summary["errors"] == {}
    assert "/find-us/" in fetched
    with Session(open_database(db)) as session:
        stored = session.exec(select(Practice).where(Practice.key == practice.host)).one()
        areas = {area.state: area for area in session.exec(
            select(ServiceArea).where(ServiceArea.practice_id == stored.id))}
    truth = {area.state: (area.in_person, area.virtual) for area in practice.states}
    assert {state: (area.in_person, area.virtual) for state, area in areas.items()} == truth
    assert any(area.source_url == facts_url for area in areas.values())


def _site(links: str) -> dict:
    pages = {"/": Page(f"<html><body><header><nav><a href='/our-world'>Our World</a></nav></header><main>{links}"
                       "</main></body></html>"),
             "/robots.txt": Page("User-agent: *\nDisallow: /portal\n", content_type="text/plain")}
    for path in ("/our-world", "/team", "/fees", "/faq", "/contact", "/about", "/news", "/portal"):
        pages[path] = Page(f"<h1>{path}</h1><p>Jane Roe, LCSW.</p>")
    return pages


def test_menu_first_then_keywords_within_the_budget_robots_obeyed(tmp_path):
    links = ("<a href='/news'>News</a> <a href='/team'>Our team</a> <a href='/fees'>Fees</a> "
             "<a href='/faq'>FAQ</a> <a href='/contact'>Contact</a> <a href='/portal'>Client portal</a> "
             "<a href='http://elsewhere.example/team'>Their team</a>")
    with FaultWeb({"menu.example": _site(links)}) as web:
        run_crawl(resolve_url(tmp_path / "x.db"), ["http://menu.example/"], proxy=web.proxy_url,
                  overrides={**FAST, "max_pages_per_site": 4})
        fetched = [a.path for a in web.requests("menu.example") if a.path not in ("/robots.txt", "/sitemap.xml")]
        assert "/our-world" in fetched  # the menu page, named by no keyword, first
        assert "/news" not in fetched  # no keyword and not in the menu: only if the budget has room
        assert "/portal" not in fetched  # robots.txt
        assert len(fetched) <= 4
        assert not web.requests("elsewhere.example")  # same site only
        web.log.clear()
        run_crawl(resolve_url(tmp_path / "y.db"), ["http://menu.example/"], proxy=web.proxy_url, overrides=FAST)
        fetched = {a.path for a in web.requests("menu.example")}
        assert {"/our-world", "/team", "/fees", "/faq", "/contact", "/news"} <= fetched  # room for all
        assert "/portal" not in fetched
