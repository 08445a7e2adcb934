"""Extraction speed (skipped by default): `.venv/bin/pytest tests/benchmarks -k extraction --benchmark-only -s`.

Pages: the labelled HTML pages plus every HTML page of the bundled sample world (render_site). Per core: one
process, CPU time, median of 5 rounds interleaved with the baseline. The baseline, measured in the same run on
the same pages, is BeautifulSoup with the lxml parser parsing each page and getting its text. Targets (issue 7):
>= 50 pages/s per core, <= 3x the baseline.
Results are recorded in docs/benchmarks.md, section "Extraction".
"""

import statistics
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from directory.extraction import extract_page
from directory.extraction.geography import states_of_city
from directory.extraction.page import clear_sentence_caches
from directory.sample_world.sites import HTML, render_site
from directory.sample_world.world import load_world, synthetic_world

LABELLED = Path(__file__).resolve().parents[1] / "extraction" / "labelled"


def _pages(n_synthetic: int = 0) -> list[bytes]:
    pages = [path.read_bytes() for path in sorted(LABELLED.glob("*.html"))]
    world = synthetic_world(n_synthetic) if n_synthetic else load_world()
    for practice in world.practices:
        pages += [body for ctype, body in render_site(practice).values() if ctype == HTML]
    return pages


def _cpu_seconds(function, pages: list[bytes]) -> float:
    clear_sentence_caches()  # each round starts cold: only repeats within the run's own pages are saved
    start = time.process_time()
    for page in pages:
        function(page)
    return time.process_time() - start


def _bs4_text(page: bytes) -> str:
    return BeautifulSoup(page, "lxml").get_text(" ")


@pytest.mark.parametrize("n_synthetic", [0, 200])
def test_extraction_speed_vs_bs4_parse(benchmark, n_synthetic):
    pages = _pages(n_synthetic)
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
    print(f"\nextraction: {len(pages)} pages ({benchmark.extra_info['mean_page_bytes']} bytes on average), "
          f"{pages_per_second:.0f} pages/s/core; bs4+lxml parse+text {len(pages) / baseline:.0f} pages/s; "
          f"ratio {ratio:.2f} (median of 5 interleaved rounds: {', '.join(f'{a / b:.2f}' for a, b in rounds)})")
    assert pages_per_second >= 50
    assert ratio <= 3.0
