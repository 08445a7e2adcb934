"""Serve the real-format fixtures (tests/boards/fixtures/) over loopback HTTP, so adapters read them the way they
read the live services: SoQL paging and ``/api/views`` metadata for Socrata datasets, plain files otherwise."""

import io
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from directory.sample_world.mirrors.core import Mirror, MirrorServer, Request, Response, text
from directory.sample_world.mirrors.soql import SoqlError, query

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROWS_UPDATED_AT = 1_795_000_000
LAST_MODIFIED = "Sun, 01 Nov 2026 06:00:00 GMT"
DATASETS = {"wa_socrata": "qxh8-f4bd", "ct_socrata": "ngch-56tr", "il_socrata": "pzzh-kp68", "co_socrata": "7s5z-vewr"}


def fixture_rows(source: str) -> list[dict]:
    return json.loads((FIXTURES / source / f"{DATASETS[source]}.json").read_text())


def fixture_bytes(name: str) -> bytes:
    """A file fixture by ``source/file`` (e.g. ``md_bop/doctor_list_revised.csv``)."""
    return (FIXTURES / name).read_bytes()


class SocrataFixture(Mirror):
    def __init__(self, dataset: str, rows: list[dict]):
        super().__init__()
        self.dataset = dataset
        self.rows = [{**row, ":id": index} for index, row in enumerate(rows)]

    def handle(self, request: Request) -> Response:
        if request.path == f"/api/views/{self.dataset}":
            return text(json.dumps({"id": self.dataset, "rowsUpdatedAt": ROWS_UPDATED_AT}), "application/json")
        if request.path == f"/resource/{self.dataset}.json":
            try:
                return text(json.dumps(query(self.rows, request.query)), "application/json")
            except SoqlError as exc:
                return text(json.dumps({"error": True, "message": str(exc)}), "application/json", status=400)
        return text("not found", status=404)


class FileFixture(Mirror):
    """Files by path (or by ``fileName=`` for the MQA download handler)."""

    def __init__(self, files: dict[str, bytes]):
        super().__init__()
        self.files = files

    def handle(self, request: Request) -> Response:
        key = request.query.get("fileName") if request.path == "/LicensureData" else request.path
        body = self.files.get(key or "")
        if body is None:
            return text("<html><body>404 Not Found</body></html>", status=404)
        return Response(body=body, content_type="text/csv", headers={"Last-Modified": LAST_MODIFIED})


def mqa_zip(text_bytes: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("dbdumps/ldms/PROF_ALL.txt", text_bytes)
    return buffer.getvalue()


@contextmanager
def serving(mirror: Mirror) -> Iterator[str]:
    server = MirrorServer(mirror)
    try:
        yield server.url
    finally:
        server.stop()
