"""Autogenerate an Alembic migration from directory/models.py.

    python scripts/new_migration.py "add seeds table"

It upgrades a scratch SQLite database to head, then diffs it against the models.
"""

import sys
import tempfile
from pathlib import Path

from alembic import command

from directory.db import alembic_config, get_engine, upgrade


def main() -> None:
    message = sys.argv[1] if len(sys.argv) > 1 else "schema change"
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'scratch.db'}"
        upgrade(url)
        config = alembic_config(url)
        with get_engine(url).begin() as connection:
            config.attributes["connection"] = connection
            rev_id = f"{len(list((Path('directory/migrations/versions')).glob('*.py'))) + 1:04d}"
            command.revision(config, message=message, autogenerate=True, rev_id=rev_id)


if __name__ == "__main__":
    main()
