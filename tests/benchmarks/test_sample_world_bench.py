"""Sample-world benchmarks (skipped by default): `.venv/bin/pytest tests/benchmarks -k sample_world --benchmark-only`.

Load and validate world.toml, generate synthetic worlds, render their sites, and serve pages over loopback.
Results are recorded in docs/benchmarks.md, section "Sample world".
"""

import http.client
from concurrent.futures import ThreadPoolExecutor

import pytest

from directory.sample_world.sites import HTML, render_site
from directory.sample_world.web import start_sample_web
from directory.sample_world.world import load_world, synthetic_world


def test_sample_world_load(benchmark):
    world = benchmark(load_world)
    assert len(world.practices) >= 40


@pytest.mark.parametrize("n_sites", [200, 2000])
def test_sample_world_synthetic(benchmark, n_sites):
    world = benchmark.pedantic(synthetic_world, args=(n_sites,), rounds=3, iterations=1)
    assert len(world.practices) == n_sites


@pytest.mark.parametrize("n_sites", [200, 2000])
def test_sample_world_render(benchmark, n_sites):
    world = synthetic_world(n_sites)

    def render_all():
        return sum(len(render_site(p)) for p in world.practices)

    files = benchmark.pedantic(render_all, rounds=2, iterations=1)
    benchmark.extra_info["files"] = files
    benchmark.extra_info["files_per_s"] = round(files / benchmark.stats.stats.mean)


def _fetch_all(port: int, targets: list[tuple[str, str]], headers: dict[str, str] | None = None) -> int:
    def fetch(chunk):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # keep-alive per worker
        done = 0
        for host, path in chunk:
            conn.request("GET", f"http://{host}{path}", headers=headers or {})
            response = conn.getresponse()
            response.read()
            done += response.status in (200, 304)
        conn.close()
        return done

    chunks = [targets[i::8] for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        return sum(pool.map(fetch, chunks))


@pytest.mark.parametrize("n_sites", [200, 2000])
def test_sample_world_serve(benchmark, n_sites):
    world = synthetic_world(n_sites)
    targets = [(p.host, path) for p in world.practices for path, (ctype, _) in render_site(p).items()
               if ctype == HTML]
    with start_sample_web(world) as web:
        _fetch_all(web.port, targets)  # warm the per-host render cache
        fetched = benchmark.pedantic(_fetch_all, args=(web.port, targets), rounds=2, iterations=1)
    assert fetched == len(targets)
    benchmark.extra_info["pages"] = len(targets)
    benchmark.extra_info["pages_per_s"] = round(len(targets) / benchmark.stats.stats.mean)
