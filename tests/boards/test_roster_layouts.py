"""The mirrors the demo serves reproduce the real-format fixtures' layouts: what a mirror answers over HTTP has the
fixture's columns, date formats and status words (so the demo cannot drift from the real formats unnoticed)."""

import csv
import io
import json
import re
import urllib.request
import zipfile

import pytest

from tests.boards.fixture_server import DATASETS, fixture_bytes, fixture_rows

DATE_COLUMNS = {
    "wa_socrata": ("firstissuedate", "lastissuedate", "expirationdate"),
    "ct_socrata": ("issuedate", "effectivedate", "expirationdate", "recordrefreshedon"),
    "il_socrata": ("original_issue_date", "effective_date", "expiration_date", "discipline_start_date"),
    "co_socrata": ("licensefirstissuedate", "licenseexpirationdate", "disciplineeffectivedate"),
}
STATUS_COLUMN = {"wa_socrata": "status", "ct_socrata": "status", "il_socrata": "license_status",
                 "co_socrata": "licensestatusdescription"}


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback mirror)
        return response.read()


def shape(value: str) -> str:
    """A date's format as a shape: '07/08/2026' -> '99/99/9999'."""
    return re.sub(r"\d", "9", value)


@pytest.mark.parametrize("source", sorted(DATASETS))
def test_socrata_mirror_matches_its_fixture(boards, source):
    rows = json.loads(fetch(f"{boards.urls[source]}/resource/{DATASETS[source]}.json?$limit=100000"))
    fixture = fixture_rows(source)
    fixture_columns = set().union(*fixture)
    always = set.intersection(*(set(row) for row in fixture))
    assert rows and set().union(*rows) <= fixture_columns, set().union(*rows) - fixture_columns
    assert all(always <= set(row) for row in rows), "every column the fixture always has, every mirror row has"
    for column in DATE_COLUMNS[source]:
        real = {shape(row[column]) for row in fixture if column in row}
        served = {shape(row[column]) for row in rows if column in row}
        assert served <= real, (column, served - real)
    status = STATUS_COLUMN[source]
    assert {row[status] for row in rows} <= {row[status] for row in fixture}
    assert not any(value in (None, "") for row in rows for value in row.values()), "SODA omits null cells"
    if source == "ct_socrata":
        assert {row["active"] for row in rows} <= {"0", "1"}
    if source == "wa_socrata":
        numbers = [row["credentialnumber"] for row in rows]
        twins = {n for n in numbers if numbers.count(n) > 1}
        assert twins and all(
            {r["status"] for r in rows if r["credentialnumber"] == n} >= {"Superseded"} for n in twins)


def csv_lines(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def header_index(lines: list[list[str]], first: str) -> int:
    return next(i for i, line in enumerate(lines) if line and line[0] == first)


@pytest.mark.parametrize(("path", "fixture", "first"), [
    ("/forms/doctor_list_revised.csv", "md_bop/doctor_list_revised.csv", "License #"),
    ("/forms/allied_health_list.csv", "md_bop/allied_health_list.csv", "Profession"),
])
def test_maryland_mirror_has_the_letterhead_and_layout(boards, path, fixture, first):
    served, real = csv_lines(fetch(boards.urls["md_bop"] + path)), csv_lines(fixture_bytes(fixture))
    at, real_at = header_index(served, first), header_index(real, first)
    assert at == real_at == 7, "seven letterhead lines before the header"
    assert served[at] == real[real_at]
    body, real_body = served[at + 1:], real[real_at + 1:]
    status, expires = real[real_at].index("License Status" if first == "License #" else "Status"), -2
    assert {r[status] for r in body} <= {r[status] for r in real_body}
    assert {shape(r[expires]) for r in body} <= {shape(r[expires]) for r in real_body}
    assert {r[-1] for r in body} <= {r[-1] for r in real_body}, "Discipline is a Yes/No flag"


def test_bhec_mirror_matches_its_fixture(boards):
    served = csv_lines(fetch(boards.urls["tx_bhec"] + "/csv/LPC.csv"))
    real = csv_lines(fixture_bytes("tx_bhec/LPC.csv"))
    assert served[0] == real[0]
    for column in ("LIC_EXPR_DTE", "RANK_EFCT_DTE"):
        index = real[0].index(column)
        assert {shape(r[index]) for r in served[1:]} <= {shape(r[index]) for r in real[1:]}
    index = real[0].index("LIC_STATUS")
    assert {r[index] for r in served[1:]} <= {r[index] for r in real[1:]}


def test_leie_mirror_matches_its_fixture(boards):
    served = fetch(boards.urls["oig_leie"] + "/exclusions/downloadables/UPDATED.csv")
    real = fixture_bytes("oig_leie/UPDATED.csv")
    assert served.split(b"\r\n", 1)[0] == real.split(b"\r\n", 1)[0], "the bare header line"
    assert all(line.startswith(b'"') and line.endswith(b'"') for line in served.split(b"\r\n")[1:] if line)
    index = csv_lines(real)[0].index("EXCLDATE")
    assert {shape(r[index]) for r in csv_lines(served)[1:]} <= {shape(r[index]) for r in csv_lines(real)[1:]}


def test_mqa_mirror_matches_its_fixture(boards):
    archive = zipfile.ZipFile(io.BytesIO(fetch(boards.urls["fl_mqa"]
                                               + "/LicensureData?fileName=PROF_ALL.zip&handler=DownloadDataFile")))
    served = archive.read("dbdumps/ldms/PROF_ALL.txt").decode().split("\r\n")
    real = fixture_bytes("fl_mqa/PROF_ALL.txt").decode().split("\r\n")
    assert served[0] == real[0], "the hyphenated header, with its trailing '|'"
    assert all(line.endswith("|") for line in served if line)
    header = real[0].split("|")
    index = header.index("Expire-Date")
    assert {shape(r.split("|")[index]) for r in served[1:] if r} <= {shape(r.split("|")[index]) for r in real[1:] if r}
