"""Extraction speed (skipped by default): `.venv/bin/pytest tests/benchmarks -k extraction --benchmark-only -s`.

Page sets: (1) the labelled HTML pages plus every HTML page of the bundled sample world (render_site); (2) the same
with a synthetic world of 200 practices; (3) the real practice pages of ../shared/realpages (~2 kB of text each,
read from there, never copied; each paragraph a <p>) in a WordPress theme's header, menu and footer, as a site
would serve them; (3b) the same text with no other markup (the ratio's worst case, reported, not held); (4) bigger
HTML pages: all pages of one sample-world site in one page (~10 kB). Per core: one process, CPU time, median of
5 rounds interleaved with the baseline. The baseline, measured in the same run on
the same pages, is BeautifulSoup with the lxml parser parsing each page and getting its text. Targets (issue 7):
>= 50 pages/s per core, <= 3x the baseline.
Results are recorded in docs/benchmarks.md, section "Extraction".
"""

import html
import statistics
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from directory.extraction import extract_page
from directory.extraction.geography import states_of_city
from directory.extraction.page import clear_sentence_caches
from directory.sample_world.sites import HTML, STYLES, Page, render_site
from directory.sample_world.world import load_world, synthetic_world

LABELLED = Path(__file__).resolve().parents[1] / "extraction" / "labelled"
REAL = Path(__file__).resolve().parents[2].parent / "shared" / "realpages" / "pages"


def _sample_pages(n_synthetic: int = 0) -> list[bytes]:
    pages = [path.read_bytes() for path in sorted(LABELLED.glob("*.html"))]
    world = synthetic_world(n_synthetic) if n_synthetic else load_world()
    for practice in world.practices:
        pages += [body for ctype, body in render_site(practice).values() if ctype == HTML]
    return pages


def _real_texts() -> list[str]:
    if not REAL.is_dir():
        pytest.skip(f"no real pages at {REAL}")
    # Each paragraph a <p>; the first line of a file is the page's URL.
    return ["".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in path.read_text(encoding="utf-8")
                    .split("\n\n")[1:]) for path in sorted(REAL.glob("*.txt"))]


def _real_pages() -> list[bytes]:
    """The real text in a site's markup (a WordPress theme's header, menu and footer from the sample world), as a
    site serves it; real sites carry far more markup than this, so the ratio to the parse is if anything high."""
    practice = next(p for p in load_world().practices if p.template == "wordpress")
    renderer = STYLES["wordpress"](practice)
    nav, footer = renderer.nav(), renderer.footer()
    return [renderer.document(Page("real", "/", "Page", body), nav, footer).encode() for body in _real_texts()]


def _real_bare_pages() -> list[bytes]:
    """The real text alone (no markup but <p>): the worst case for the ratio, the parse being almost free."""
    return [f"<!DOCTYPE html><html><body>{body}</body></html>".encode() for body in _real_texts()]


def _big_pages() -> list[bytes]:
    """One page per sample-world site with the bodies of all its HTML pages."""
    pages = []
    for practice in load_world().practices:
        bodies = [body.decode() for ctype, body in render_site(practice).values() if ctype == HTML]
        inner = "".join(page.split("<body", 1)[-1].split(">", 1)[-1].rsplit("</body>", 1)[0] for page in bodies)
        pages.append(f"<!DOCTYPE html><html><head><title>{practice.name}</title></head><body>{inner}</body></html>"
                     .encode())
    return pages


PAGE_SETS = {
    "sample": lambda: _sample_pages(),
    "synthetic200": lambda: _sample_pages(200),
    "real": _real_pages,
    "real_bare": _real_bare_pages,
    "big": _big_pages,
}
# The ratio target is for pages as sites serve them; on bare text (real_bare) it is reported, not held.
RATIO_HELD = {"sample", "synthetic200", "real", "big"}


def _cpu_seconds(function, pages: list[bytes]) -> float:
    clear_sentence_caches()  # each round starts cold: only repeats within the run's own pages are saved
    start = time.process_time()
    for page in pages:
        function(page)
    return time.process_time() - start


def _bs4_text(page: bytes) -> str:
    return BeautifulSoup(page, "lxml").get_text(" ")


@pytest.mark.parametrize("page_set", list(PAGE_SETS))
def test_extraction_speed_vs_bs4_parse(benchmark, page_set):
    pages = PAGE_SETS[page_set]()
    states_of_city("Hartford")  # build the offline city index once, outside the timing (it is loaded once per process)
    for page in pages[:10]:
        extract_page(page)
        _bs4_text(page)

    # Interleave the two measurements so that load from other processes falls on both alike.
    rounds = [(_cpu_seconds(extract_page, pages), _cpu_seconds(_bs4_text, pages)) for _ in range(5)]
    benchmark.pedantic(_cpu_seconds, args=(extract_page, pages), rounds=1, iterations=1)
    extraction = statistics.median(seconds for seconds, _ in rounds)
    baseline = statistics.median(seconds for _, seconds in rounds)
    ratio = statistics.median(seconds / base for seconds, base in rounds)
    pages_per_second = len(pages) / extraction
    benchmark.extra_info.update(
        pages=len(pages),
        mean_page_bytes=round(sum(map(len, pages)) / len(pages)),
        pages_per_second_per_core=round(pages_per_second),
        bs4_pages_per_second=round(len(pages) / baseline),
        ratio_to_bs4_parse=round(ratio, 2),
    )
    print(f"\n{page_set} extraction: {len(pages)} pages ({benchmark.extra_info['mean_page_bytes']} bytes on average), "
          f"{pages_per_second:.0f} pages/s/core; bs4+lxml parse+text {len(pages) / baseline:.0f} pages/s; "
          f"ratio {ratio:.2f} (median of 5 interleaved rounds: {', '.join(f'{a / b:.2f}' for a, b in rounds)})")
    assert pages_per_second >= 50
    if page_set in RATIO_HELD:
        assert ratio <= 3.0
