import pytest

from directory.db import open_database, session_scope


@pytest.fixture
def engine(tmp_path):
    return open_database(tmp_path / "t.db")


@pytest.fixture
def session(engine):
    with session_scope(engine) as session:
        yield session
