"""Every roster adapter reads its real-format fixture (tests/boards/fixtures/, written from the evidence in
docs/sources.md, not from the adapters) over loopback HTTP: real field names, status words, date formats, the MD
letterhead, WA's superseded twins. Then the sync-level rules: unknown words counted, unreadable dates counted
(and fatal when they are many), over-long lines refused, previous data kept."""

import copy
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from directory.boards.adapters import make_adapter
from directory.boards.dates import DATE_ERRORS
from directory.boards.store import sync_roster
from directory.db import session_scope
from directory.models import LicenseRecord
from tests.boards.conftest import board_env
from tests.boards.fixture_server import (
    DATASETS,
    FileFixture,
    SocrataFixture,
    fixture_bytes,
    fixture_rows,
    mqa_zip,
    serving,
)


@pytest.fixture(autouse=True)
def fast(monkeypatch, tmp_path):
    board_env(monkeypatch, tmp_path, {})


def socrata_records(source: str, rows: list[dict] | None = None, page_size: int = 4) -> dict[str, list]:
    """Sync ``source`` from its fixture (or ``rows``) with small pages; records by license number."""
    mirror = SocrataFixture(DATASETS[source], fixture_rows(source) if rows is None else rows)
    with serving(mirror) as url:
        records = list(make_adapter(source, base_url=url, page_size=page_size).sync())
    out: dict[str, list] = {}
    for record in records:
        out.setdefault(record.license_number, []).append(record)
    return out


def only(records: dict[str, list], number: str):
    assert len(records[number]) == 1, number
    return records[number][0]


def test_washington_fixture_dates_statuses_and_superseded_twin():
    records = socrata_records("wa_socrata")
    statuses = {number: only(records, number).status for number in records}
    assert statuses == {
        "LH60000101": "active", "LH60000102": "active", "LW60000103": "probation", "MD60000104": "probation",
        "AP60000105": "probation", "LF60000106": "inactive", "CG60000107": "inactive", "PS60000108": "suspended",
        "RN60000109": "surrendered", "MD60000110": "inactive", "PA60000111": "expired", "LP60000112": "active",
    }
    assert only(records, "MD60000104").expiry_date == date(2026, 7, 8), "text MM/DD/YYYY"
    assert only(records, "LP60000112").expiry_date == date(2027, 6, 20), "an export in YYYYMMDD"
    assert only(records, "LH60000101").issue_date == date(2015, 9, 14)
    twin = only(records, "LH60000102")
    assert twin.status_raw == "Active" and twin.expiry_date == date(2028, 3, 1), "the live row wins"
    assert [t["status"] for t in twin.raw["twins"]] == ["Superseded"], "the superseded row is kept as evidence"
    assert only(records, "CG60000107").expiry_date is None, "a null cell is left out of the row: no date, no error"
    assert not any(DATE_ERRORS in r.raw for group in records.values() for r in group)
    assert only(records, "LP60000112").license_class == "other", "a practical nurse is not a registered nurse"
    assert only(records, "RN60000109").license_class == "registered_nurse"


def test_superseded_twin_never_overwrites_the_live_row_whichever_comes_first():
    rows = fixture_rows("wa_socrata")
    live, superseded = rows[1], rows[2]
    for order in ([live, superseded], [superseded, live]):
        got = only(socrata_records("wa_socrata", order, page_size=1), "LH60000102")
        assert got.status == "active" and got.expiry_date == date(2028, 3, 1)


def test_connecticut_fixture_status_words_flag_and_reason():
    records = socrata_records("ct_socrata")
    statuses = {number: (only(records, number).status_raw, only(records, number).status) for number in records}
    assert statuses == {
        "PRC.0009101": ("ACTIVE", "active"), "CSW.0009102": ("ACTIVE IN RENEWAL", "active"),
        "PSY.0009103": ("ACTIVE UNDER REVIEW", "active"), "MFT.0009104": ("APPROVED", "active"),
        "PRC.0009105": ("PENDING", "inactive"), "CSW.0009106": ("DENIED", "inactive"),
        "PRC.0009107": ("EXPIRED APPLICATION", "inactive"), "CSW.0009108": ("INACTIVE", "expired"),
        "APRN.009109": ("LAPSED", "expired"), "PSY.0009110": ("RETIRED", "inactive"),
        "MFT.0009111": ("REVOKED", "revoked"), "PRC.0009112": ("SUSPENDED", "suspended"),
    }, "the BUSINESS row is filtered by $where type='INDIVIDUAL'"
    assert only(records, "PRC.0009101").expiry_date == date(2027, 3, 31)
    assert only(records, "CSW.0009108").raw["statusreason"] == "LAPSED DUE TO NON-RENEWAL"


def test_connecticut_active_flag_can_only_take_a_license_out_of_force():
    rows = copy.deepcopy(fixture_rows("ct_socrata"))
    rows[0]["active"] = "0"  # ACTIVE, but the dataset's own flag says not current
    records = socrata_records("ct_socrata", rows)
    assert only(records, "PRC.0009101").status == "unknown"
    assert only(records, "APRN.009109").status == "expired", "LAPSED stays expired although its flag is 1"


def test_illinois_fixture_class_by_description_not_board():
    records = socrata_records("il_socrata")
    classes = {number: only(records, number).license_class for number in records}
    assert classes["041.500101"] == "registered_nurse"
    assert classes["043.500102"] == "other", "NURSING BOARD also holds practical nurses"
    assert classes["175.500103"] == "other", "and midwives"
    assert classes["178.500104"] == "associate_counselor", "Illinois' LPC is the provisional tier"
    assert classes["180.500105"] == "professional_counselor"
    assert classes["071.500106"] == "psychologist" and classes["209.500109"] == "nurse_practitioner"
    assert only(records, "071.500106").status == "expired", "NOT RENEWED"
    assert only(records, "149.500107").status == "probation"
    assert only(records, "041.500101").issue_date == date(2012, 6, 30)
    assert only(records, "180.500105").discipline and "REPRIMAND" in only(records, "180.500105").discipline_text


def test_colorado_fixture_status_words_and_cases():
    records = socrata_records("co_socrata")
    statuses = {number: only(records, number).status for number in records}
    assert statuses == {
        "0017101": "active", "0017102": "probation", "0017103": "inactive", "0017104": "suspended",
        "0017105": "expired", "0017106": "expired", "0017107": "expired", "0017108": "revoked", "0017109": "inactive",
    }
    merged = only(records, "0017102")
    assert merged.discipline_text == "Stipulation and Final Agency Order; Letter of Admonition"
    assert merged.raw["verify_url"].endswith("PSY.0017102")
    assert merged.expiry_date == date(2028, 8, 31)


def files_sync(source: str, files: dict[str, bytes]) -> list:
    with serving(FileFixture(files)) as url:
        return list(make_adapter(source, base_url=url).sync())


MD_FILES = {"/forms/doctor_list_revised.csv": fixture_bytes("md_bop/doctor_list_revised.csv"),
            "/forms/allied_health_list.csv": fixture_bytes("md_bop/allied_health_list.csv")}


def test_maryland_fixture_letterhead_is_skipped_by_finding_the_header():
    records = {r.license_number: r for r in files_sync("md_bop", MD_FILES)}
    assert set(records) == {"D0080101", "D0080102", "D0080103", "C08101", "C08102", "R08103"}
    assert records["D0080102"].status == "probation" and records["D0080102"].discipline
    assert records["D0080101"].expiry_date == date(2027, 9, 30) and not records["D0080101"].discipline
    assert records["C08101"].license_class == "physician_assistant"
    assert records["R08103"].license_class == "other"


def test_texas_bhec_fixture():
    lpc = fixture_bytes("tx_bhec/LPC.csv")
    header_only = lpc.split(b"\r\n", 1)[0] + b"\r\n"
    files = {f"/csv/{code}.csv": header_only for code in ("MFT", "PSY", "SW")} | {"/csv/LPC.csv": lpc}
    records = {r.license_number: r for r in files_sync("tx_bhec", files)}
    assert {n: r.status for n, r in records.items()} == {
        "90101": "active", "90102": "probation", "90103": "active", "90104": "expired", "90105": "suspended",
        "90106": "inactive"}
    assert records["90101"].license_class == "professional_counselor"
    assert records["90103"].license_class != "professional_counselor", "an LPC Associate is not an LPC"
    assert records["90101"].expiry_date == date(2027, 3, 31)


def test_leie_fixture():
    records = files_sync("oig_leie", {"/exclusions/downloadables/UPDATED.csv": fixture_bytes("oig_leie/UPDATED.csv")})
    assert [r.family_name for r in records] == ["QUARLES", "RADCLIFFE"], "the business row is not a clinician"
    assert records[0].issue_date == date(2019, 8, 20) and records[0].npi is None
    assert records[1].npi == "1234567893" and records[1].status == "active"


def test_florida_fixture():
    adapter_files = {"PROF_ALL.zip": mqa_zip(fixture_bytes("fl_mqa/PROF_ALL.txt"))}
    with serving(FileFixture(adapter_files)) as url:
        adapter = make_adapter("fl_mqa", base_url=url)
        records = {r.license_number: r for r in adapter.sync()}
    assert adapter.skipped == 1, "the row with an extra '|' inside a value"
    assert {n: r.status for n, r in records.items()} == {
        "MH20101": "active", "ME90102": "probation", "SW10103": "expired", "TPMH1234": "active"}
    assert records["ME90102"].suffix == "DE", "stray quote removed"
    assert records["TPMH1234"].kind == "telehealth_registration" and records["TPMH1234"].home_state == "GA"
    assert records["MH20101"].expiry_date == date(2027, 3, 31)


# --- sync-level rules -------------------------------------------------------------------------------------------


def sync_rows(engine, source: str, rows: list[dict], **options):
    with serving(SocrataFixture(DATASETS[source], rows)) as url:
        return sync_roster(engine, make_adapter(source, base_url=url), **options)


def many_wa_rows(count: int) -> list[dict]:
    base = fixture_rows("wa_socrata")[0]
    return [{**base, "credentialnumber": f"LH6{index:07d}"} for index in range(count)]


def test_unknown_status_word_stays_unknown_and_is_counted_and_listed(engine, tmp_path, capsys):
    from directory.boards.commands import list_command, source_status

    rows = copy.deepcopy(fixture_rows("co_socrata"))
    rows[0]["licensestatusdescription"] = "Pending Board Review"  # a word no table knows
    result = sync_rows(engine, "co_socrata", rows)
    assert result.status == "ok" and result.unmapped == {"PENDING BOARD REVIEW": 1}
    assert "unmapped status words: 1 (PENDING BOARD REVIEW)" in result.line()
    with session_scope(engine) as session:
        status = session.execute(select(LicenseRecord.status).where(
            LicenseRecord.license_number == "0017101")).scalar_one()
    assert status == "unknown"
    row = next(r for r in source_status(engine) if r["name"] == "co_socrata")
    assert row["unmapped_status_words"] == {"PENDING BOARD REVIEW": 1}
    assert all(not r["unmapped_status_words"] for r in source_status(engine) if r["name"] != "co_socrata")
    url = str(engine.url).removeprefix("sqlite:///")
    list_command(url, as_json=False)
    assert "unmapped status words: 1" in capsys.readouterr().out


def test_a_few_unreadable_dates_are_counted_and_never_verify(engine):
    rows = many_wa_rows(150)
    rows[7]["expirationdate"] = "13/45/2026"
    result = sync_rows(engine, "wa_socrata", rows)
    assert result.status == "ok" and result.date_errors == 1 and not result.unmapped
    assert "1 rows with unreadable dates" in result.line()
    with session_scope(engine) as session:
        bad = session.execute(select(LicenseRecord).where(LicenseRecord.license_number == "LH60000007")).scalar_one()
    assert bad.status == "unknown" and bad.expiry_date is None, "not active on a record we could not read"
    assert bad.raw[DATE_ERRORS] == ["expiry_date='13/45/2026'"]


def test_a_changed_date_format_fails_the_sync_and_keeps_the_previous_data(engine):
    rows = many_wa_rows(150)
    assert sync_rows(engine, "wa_socrata", rows).status == "ok"
    iso = [{**row, "expirationdate": "2027-09-14T00:00:00.000"} for row in rows]  # timestamps, not WA's format
    result = sync_rows(engine, "wa_socrata", iso, force=True)
    assert result.status == "error" and "none of the declared formats" in result.error
    assert "\n" not in result.error
    with session_scope(engine) as session:
        live = session.execute(select(func.count()).select_from(LicenseRecord).where(
            LicenseRecord.removed_at.is_(None), LicenseRecord.expiry_date == date(2027, 9, 14))).scalar_one()
    assert live == 150, "the previous records (and their dates) are kept"


@pytest.mark.parametrize("where", ["csv", "mqa"])
def test_an_over_long_line_fails_the_sync_with_one_line_and_keeps_the_data(engine, where):
    from directory.boards.files import MAX_LINE_CHARS

    if where == "csv":
        source, good = "md_bop", dict(MD_FILES)
        bad = {**good, "/forms/allied_health_list.csv": good["/forms/allied_health_list.csv"]
               + b"Physician Assistant,C0" + b"9" * (MAX_LINE_CHARS + 10) + b",X,Y,Active,06/30/2027,No\r\n"}
    else:
        text = fixture_bytes("fl_mqa/PROF_ALL.txt")
        source, good = "fl_mqa", {"PROF_ALL.zip": mqa_zip(text)}
        bad = {"PROF_ALL.zip": mqa_zip(text + b"x" * (MAX_LINE_CHARS + 10) + b"\r\n")}
    with serving(FileFixture(good)) as url:
        first = sync_roster(engine, make_adapter(source, base_url=url))
    with serving(FileFixture(bad)) as url:
        second = sync_roster(engine, make_adapter(source, base_url=url), force=True)
    assert first.status == "ok"
    assert second.status == "error" and f"longer than {MAX_LINE_CHARS:,} characters" in second.error
    assert "\n" not in second.error
    with session_scope(engine) as session:
        live = session.execute(select(func.count()).select_from(LicenseRecord).where(
            LicenseRecord.source == source, LicenseRecord.removed_at.is_(None))).scalar_one()
    assert live == first.records


def test_md_file_without_its_header_row_is_a_clear_error(engine):
    files = {**MD_FILES, "/forms/doctor_list_revised.csv": b"Maryland Board of Physicians\r\n" * 60}
    with serving(FileFixture(files)) as url:
        result = sync_roster(engine, make_adapter("md_bop", base_url=url))
    assert result.status == "error"
    assert "no header row starting 'License #' in its first 50 lines" in result.error


def test_status_tables_never_call_a_lapsed_or_unissued_word_active():
    """The registry invariant, widened to the words of these rosters (applications, closures, supersession)."""
    import re

    from directory.boards.registry import _table, all_sources

    not_active = re.compile(r"INACTIVE|EXPIRED|LAPSED|DELINQUENT|REVOKED|SUSPEN|SURRENDER|DECEASED|VOID|RELINQUISH"
                            r"|PENDING|DENIED|APPLICATION|CLOSED|SUPERSEDED|CANCEL|TERMINAT|RETIRED|REFUSE")
    tables = [("default", _table().default_status_words)] + [(s.name, s.status_words) for s in all_sources()]
    for name, words in tables:
        for word, status in words.items():
            if not_active.search(word) and not word.startswith("CLEAR/ACTIVE"):
                assert status != "active", (name, word)
    for info in all_sources():
        for reason, status in info.options.get("status_reasons", {}).items():
            assert status in {"inactive", "expired", "suspended", "revoked", "surrendered", "deceased"}, reason


def test_fixture_vocabularies_are_fully_mapped():
    """Every status word in a fixture is in its source's table: the fixtures are the vocabulary we claim."""
    from directory.boards.registry import get_source, normalise_status

    columns = {"wa_socrata": "status", "ct_socrata": "status", "il_socrata": "license_status",
               "co_socrata": "licensestatusdescription"}
    for source, column in columns.items():
        info = get_source(source)
        for row in fixture_rows(source):
            assert normalise_status(info, row[column]) != "unknown", (source, row[column])
    assert json  # the fixtures are JSON arrays of flat objects (plus CO's link object)


def test_line_limit_boundary():
    import io

    from directory.boards.files import MAX_LINE_CHARS
    from directory.errors import SourceError

    adapter = make_adapter("md_bop", base_url="http://127.0.0.1:9")
    ok = "a" * MAX_LINE_CHARS
    assert list(adapter.bounded_lines(io.StringIO(f"{ok}\r\n{ok}\nb"), "x.csv")) == [f"{ok}\r\n", f"{ok}\n", "b"]
    with pytest.raises(SourceError, match="line 2: longer than"):
        list(adapter.bounded_lines(io.StringIO(f"a\n{ok}a\n"), "x.csv"))


def check_against(monkeypatch, tmp_path, source: str, mirror):
    from directory.boards.check import check_source
    from directory.boards.registry import get_source

    with serving(mirror) as url:
        board_env(monkeypatch, tmp_path, {source: url})
        return check_source(get_source(source))


def test_boards_check_on_real_format_rosters(monkeypatch, tmp_path):
    """`kapdir boards check` reads a roster sample: the fixtures are 'format as expected'; a new column, a
    dropped column or a changed date format is 'changed'."""
    for source in ("ct_socrata", "il_socrata", "co_socrata", "wa_socrata"):
        result = check_against(monkeypatch, tmp_path, source, SocrataFixture(DATASETS[source], fixture_rows(source)))
        assert result.status == "ok", result.line()
    md = check_against(monkeypatch, tmp_path, "md_bop", FileFixture(MD_FILES))
    assert md.status == "ok", md.line()

    rows = [{**row, "credentialstatusnote": "x"} for row in fixture_rows("ct_socrata")]
    changed = check_against(monkeypatch, tmp_path, "ct_socrata", SocrataFixture(DATASETS["ct_socrata"], rows))
    assert changed.status == "changed" and changed.unknown_fields == ["credentialstatusnote"]
    rows = [{k: v for k, v in row.items() if k != "licensestatusdescription"} for row in fixture_rows("co_socrata")]
    changed = check_against(monkeypatch, tmp_path, "co_socrata", SocrataFixture(DATASETS["co_socrata"], rows))
    assert changed.status != "ok"
    rows = [{**row, "expirationdate": "2027-09-14T00:00:00.000"} for row in fixture_rows("wa_socrata")]
    changed = check_against(monkeypatch, tmp_path, "wa_socrata", SocrataFixture(DATASETS["wa_socrata"], rows))
    assert changed.status == "changed" and changed.unreadable_dates, changed.line()
    assert "unreadable dates: " in changed.line() and "\n" not in changed.line()


def test_illinois_board_decides_only_without_a_description():
    rows = copy.deepcopy(fixture_rows("il_socrata"))
    for row in rows:
        row.pop("description", None)
    classes = {number: only(records, number).license_class
               for records in [socrata_records("il_socrata", rows)] for number in records}
    assert classes["041.500101"] == "other", "NURSING BOARD alone cannot tell an RN from an LPN"
    assert classes["180.500105"] == "other", "PROF. COUNSELOR alone cannot tell LPC from LCPC"
    assert classes["071.500106"] == "psychologist" and classes["036.500108"] == "physician"
