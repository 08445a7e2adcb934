"""A migrated SQLite database filled with the dashboard's test directory, shared per session."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from directory.db import open_database, resolve_url
from tests.dashboard.builder import Built, build_directory


@dataclass
class DirectoryDb:
    path: Path
    url: str
    engine: Engine
    built: Built


@pytest.fixture(scope="session")
def directory_db(tmp_path_factory) -> DirectoryDb:
    path = tmp_path_factory.mktemp("dashboard") / "directory.db"
    engine = open_database(path)
    return DirectoryDb(path=path, url=resolve_url(path), engine=engine, built=build_directory(engine))
