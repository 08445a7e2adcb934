"""A crawl's results in the database, normalised for comparison: every crawl table's rows with surrogate ids replaced
by natural keys (practice key, clinician key, page URL) and times replaced by whether they are set, sorted.

Two crawls of the same web must give the same state whatever the storing strategy (one site per transaction or
batches, ORM or bulk inserts). ``python -m tests.crawler.dbstate DB.sqlite > state.json`` dumps one by hand.
"""

import json
import re
import sys
from datetime import date, datetime
from typing import Any

from sqlalchemy import create_engine, select
from sqlmodel import SQLModel

import directory.models  # noqa: F401 - the tables

TABLES = ("practice", "sourcepage", "clinician", "credentialclaim", "servicearea", "location", "offering", "fact",
          "retiredclaim", "change", "fetchlog")


TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d")  # SQLite keeps times as text


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)  # SQLite answers 0/1
    if isinstance(value, float) and value.is_integer():
        return int(value)  # JSON numbers: 2200.0 on one backend, 2200 on another
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime | date) or (isinstance(value, str) and TIME.match(value)):
        return "<time>"
    return value


def crawl_state(db_url: str) -> dict[str, list]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            def rows(table: str) -> list[dict]:
                # Through the models' column types: JSON decoded and times as datetimes on every backend.
                return [dict(row._mapping) for row in connection.execute(select(SQLModel.metadata.tables[table]))]

            practices = {row["id"]: row["key"] for row in rows("practice")}
            clinicians = {row["id"]: (practices.get(row["practice_id"]), row["key"]) for row in rows("clinician")}
            page_rows = rows("sourcepage")
            pages = {row["id"]: row["url"] for row in page_rows}
            # Provenance: a fact's fetched_at must be the fetch time of the page it came from.
            fetched = {row["url"]: row["fetched_at"] for row in page_rows}
            fetched.update({row["final_url"]: row["fetched_at"] for row in page_rows if row["final_url"]})
            names = {"practice_id": practices, "clinician_id": clinicians, "source_page_id": pages}
            state = {}
            for table in TABLES:
                out = []
                for row in rows(table):
                    row.pop("id", None)
                    for validator in ("etag", "last_modified"):  # the server's, and time-based for changed pages
                        if row.get(validator):
                            row[validator] = "<set>"
                    if table != "sourcepage" and row.get("source_url") and row.get("fetched_at") is not None:
                        same = fetched.get(row["source_url"]) == row["fetched_at"]
                        row["fetched_at"] = "<its page's fetch time>" if same else "<another time>"
                    for column, lookup in names.items():
                        if column in row and row[column] is not None:
                            row[column] = lookup.get(row[column], "<dangling>")
                    if table == "retiredclaim" and isinstance(row.get("data"), dict):
                        data = dict(row["data"])
                        data.pop("id", None)
                        data["clinician_id"] = clinicians.get(data.get("clinician_id"), data.get("clinician_id"))
                        row["data"] = {key: ("<time>" if key.endswith("_at") and value else value)
                                       for key, value in data.items()}
                    normal = {key: _plain(value) for key, value in row.items()}
                    out.append(json.dumps(normal, sort_keys=True, default=str))
                state[table] = sorted(out)
            return state
    finally:
        engine.dispose()


if __name__ == "__main__":
    url = sys.argv[1] if "://" in sys.argv[1] else f"sqlite:///{sys.argv[1]}"
    json.dump(crawl_state(url), sys.stdout, indent=1)
