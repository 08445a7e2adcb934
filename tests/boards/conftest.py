"""Board-source fixtures: the sample world's mirrors on loopback, settings pointed at them, a real SQLite DB."""

import json
from collections.abc import Iterator

import pytest

from directory.db import get_engine, open_database, upgrade
from directory.sample_world.mirrors import BoardMirrors, start_board_mirrors
from directory.sample_world.mirrors.core import MirrorServer
from directory.sample_world.world import load_world
from directory.settings import get_settings


@pytest.fixture
def pg_engine(postgres_url):
    """A PostgreSQL engine on an empty, freshly migrated schema."""
    engine = get_engine(postgres_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    upgrade(postgres_url)
    return engine


@pytest.fixture(scope="session")
def world():
    return load_world()


@pytest.fixture(scope="session")
def mirrors(world) -> Iterator[BoardMirrors]:
    with start_board_mirrors(world) as running:
        yield running


def board_env(monkeypatch, tmp_path, urls: dict[str, str], **extra: str) -> None:
    """Point every source at the mirrors, with fast timeouts and no politeness delay (loopback only)."""
    env = {
        "KAPDIR_SOURCE_URLS": json.dumps(urls),
        "KAPDIR_DATA_DIR": str(tmp_path / "data"),
        "KAPDIR_BOARD_LOOKUP_DELAY_S": "0",
        "KAPDIR_BOARD_TIMEOUT_S": "2",
        "KAPDIR_BOARD_BACKOFF_CAP_S": "0.05",
        "KAPDIR_BOARD_MAX_RETRIES": "2",
        **extra,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


@pytest.fixture
def boards(monkeypatch, tmp_path, mirrors) -> Iterator[BoardMirrors]:
    """The mirrors with every fault cleared, and settings pointed at them."""
    for name in mirrors.servers:
        mirrors.set_fault(name, None)
        mirrors.mirror(name).requests.clear()
    board_env(monkeypatch, tmp_path, mirrors.urls)
    yield mirrors
    for name in mirrors.servers:
        mirrors.set_fault(name, None)
    get_settings.cache_clear()


@pytest.fixture
def engine(tmp_path):
    return open_database(tmp_path / "boards.db")


@pytest.fixture
def live_roster(request, monkeypatch, tmp_path):
    """(source, a LiveRoster serving its rows over loopback): the roster a test changes between syncs."""
    from tests.boards.fixture_server import DATASETS
    from tests.boards.test_incremental_sync import LiveRoster  # defined beside the property tests it serves

    source = request.param
    mirror = LiveRoster(DATASETS[source])
    server = MirrorServer(mirror)
    board_env(monkeypatch, tmp_path, {source: server.url})
    try:
        yield source, mirror
    finally:
        server.stop()
