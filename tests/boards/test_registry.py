"""Invariants over the coverage table, status words and titles (directory/data/sources.toml), and their agreement
with the sample world's ground truth."""

import re

import pytest
import us

from directory.boards.adapters import make_adapter
from directory.boards.files import load_mapping
from directory.boards.registry import (
    METHODS,
    _table,
    all_sources,
    classify_title,
    coverage,
    get_source,
    normalise_status,
)
from directory.errors import KapdirError
from directory.vocab import LicenseClass, LicenseStatus, RecordKind

STATES = {s.abbr for s in us.states.STATES_AND_TERRITORIES} | {"DC"}
NOT_ACTIVE = re.compile(r"INACTIVE|EXPIRED|LAPSED|DELINQUENT|REVOKED|SUSPEN|SURRENDER|DECEASED|VOID|RELINQUISH")


def test_every_source_is_well_formed():
    sources = all_sources()
    assert len({s.name for s in sources}) == len(sources)
    for info in sources:
        assert info.method in METHODS, info.name
        assert info.kind in {k.value for k in RecordKind}, info.name
        assert set(info.record_kinds) <= {k.value for k in RecordKind}, info.name
        assert info.states == ("*",) or set(info.states) <= STATES, info.name
        assert info.license_classes == ("*",) or set(info.license_classes) <= {c.value for c in LicenseClass}
        if info.adapter == "generic":
            assert info.public_url == "", "a generic roster has no default URL: the user configures it"
        else:
            assert info.public_url.startswith("https://"), info.name
        assert info.citation, info.name
        if info.manual:
            assert info.check_here().startswith("Check by hand at ") and "https://" in info.check_here()


def test_status_words_are_valid_and_never_call_a_lapsed_word_active():
    tables = [("default", _table().default_status_words)] + [(s.name, s.status_words) for s in all_sources()]
    for name, words in tables:
        for word, status in words.items():
            assert status in {s.value for s in LicenseStatus}, (name, word)
            assert word == word.upper(), (name, word)
            if NOT_ACTIVE.search(word) and not word.startswith("CLEAR/ACTIVE"):
                assert status != LicenseStatus.ACTIVE, (name, word)


def test_unknown_status_words_are_unknown_never_active():
    info = get_source("ct_socrata")
    assert normalise_status(info, "PENDING REVIEW") is LicenseStatus.UNKNOWN
    assert normalise_status(info, "") is LicenseStatus.UNKNOWN
    assert normalise_status(info, None) is LicenseStatus.UNKNOWN
    assert normalise_status(info, "  active ") is LicenseStatus.ACTIVE


def test_world_status_words_normalise_as_the_world_says(world):
    """Every TrueRecord's raw status words, through its source's table, give its normalised status."""
    checked = 0
    for practice in world.practices:
        for clinician in practice.clinicians:
            for record in clinician.records:
                source = get_source(record.source)
                if source.adapter == "generic":
                    adapter = make_adapter(record.source, base_url="http://127.0.0.1:9")
                    got = adapter.status(record.status_raw)
                else:
                    got = normalise_status(source, record.status_raw)
                assert got == record.status, (record.source, record.status_raw)
                checked += 1
    assert checked > 20


def test_world_titles_classify_as_the_world_says(world):
    for practice in world.practices:
        for clinician in practice.clinicians:
            for record in clinician.records:
                if record.kind in {"license", "telehealth_registration"} and record.source != "npi":
                    source = get_source(record.source)
                    if source.adapter == "generic":
                        got = make_adapter(record.source, base_url="http://127.0.0.1:9").license_class(record.title)
                    else:
                        got = classify_title(source, record.title)
                    assert got == record.license_class, (record.source, record.title)


@pytest.mark.parametrize(("title", "expected"), [
    ("LPC", "professional_counselor"), ("Licensed Clinical Professional Counselor", "professional_counselor"),
    ("Mental Health Counselor License", "professional_counselor"), ("LCSW-C", "clinical_social_worker"),
    ("LMSW", "social_worker"), ("MAR AND FAM THERAPIST", "marriage_family_therapist"),
    ("CLIN PSYCHOLOGIST", "psychologist"), ("Physician And Surgeon License", "physician"),
    ("Advanced Registered Nurse Practitioner License", "nurse_practitioner"), ("PHYSICIAN ASSISTANT",
                                                                               "physician_assistant"),
    ("LPC Associate", "associate_counselor"), ("Licensed Alcohol and Drug Counselor", "other"),
    ("PACKAGE STORE LIQUOR", "other"), ("CHIROPRACTIC PHYSICIAN", "other"), ("Podiatric Physician", "other"),
])
def test_titles_by_keyword(title, expected):
    assert classify_title(None, title) == expected


@pytest.mark.parametrize(("title", "expected"), [
    # Illinois APRN descriptions say "ADVANCED PRACTICE" or "FULL PRACTICE AUTHORITY" (docs/sources.md); whatever
    # the exact wording, each reads as its class
    ("ADVANCED PRACTICE REGISTERED NURSE", "nurse_practitioner"),
    ("LICENSED ADVANCED PRACTICE REGISTERED NURSE - FULL PRACTICE AUTHORITY", "nurse_practitioner"),
    ("LICENSED CLINICAL PSYCHOLOGIST", "psychologist"), ("LICENSED CLINICAL SOCIAL WORKER", "clinical_social_worker"),
    ("LICENSED MARRIAGE AND FAMILY THERAPIST", "marriage_family_therapist"),
    ("LICENSED PROFESSIONAL COUNSELOR", "associate_counselor"),
    ("LICENSED CLINICAL PROFESSIONAL COUNSELOR", "professional_counselor"),
    ("LICENSED CERTIFIED PUBLIC ACCOUNTANT", "other"),
])
def test_illinois_descriptions_read_as_their_class(title, expected):
    assert classify_title(get_source("il_socrata"), title) == expected


def test_coverage_answers_which_sources_could_confirm():
    va = {s.name for s in coverage("VA", "professional_counselor")}
    assert {"va_dhp", "npi", "oig_leie", "counseling_compact"} <= va
    assert "md_bpct" not in va
    md_doctor = {s.name for s in coverage("MD", "physician")}
    assert "md_bop" in md_doctor and "md_bpct" not in md_doctor
    assert {s.name for s in coverage("NM", "professional_counselor") if s.method != "lookup"} <= {"oig_leie"}
    wa = [s for s in coverage("WA", "professional_counselor") if s.manual]
    assert [s.name for s in wa] == ["wa_provider_search"]


def test_unknown_source_is_a_one_line_error():
    with pytest.raises(KapdirError, match="unknown source 'nope'"):
        get_source("nope")


def test_manual_source_has_no_adapter():
    with pytest.raises(KapdirError, match="manual source"):
        make_adapter("wa_provider_search")


@pytest.mark.parametrize(("name", "link"), [("nursys", "https://www.nursys.com/LQC/LQCSearch.aspx"),
                                            ("psypact", "https://psypact.gov")])
def test_nursys_and_psypact_are_manual_with_a_check_here_link(name, link):
    """Nursys' terms forbid automated access; no public PSYPACT export is evidenced (docs/sources.md)."""
    info = get_source(name)
    assert info.manual and info.check_url == link and link in info.check_here()
    with pytest.raises(KapdirError, match=rf"never fetched\): Check by hand at .*{link}"):
        make_adapter(name)


def test_the_adapter_registry_is_built_from_the_classes():
    from directory.boards.adapters import adapter_classes
    from directory.boards.base import Source

    classes = adapter_classes()
    for info in all_sources():
        if not info.manual:
            cls = classes[info.adapter]
            assert issubclass(cls, Source) and cls.adapter == info.adapter
    assert "nursys" not in classes and "psypact" not in classes, "manual sources have no adapter class"

    class Extra(Source):  # a new source is one small class: it registers itself
        adapter = "test_extra_source"

    assert adapter_classes()["test_extra_source"] is Extra
    del __import__("directory.boards.base", fromlist=["ADAPTERS"]).ADAPTERS["test_extra_source"]


def _spec(tmp_path, monkeypatch, body: str):
    from directory.boards import registry

    path = tmp_path / "sources.toml"
    path.write_text('health_classes = ["psychologist"]\ntitle_keywords = []\n[default_status_words]\n' + body)
    monkeypatch.setattr(registry, "SOURCES_FILE", path)
    registry._table.cache_clear()
    try:
        return registry.all_sources()
    finally:
        monkeypatch.undo()
        registry._table.cache_clear()


BASE = ('method = "roster"\nkind = "license"\nstates = ["OH"]\nlicense_classes = ["psychologist"]\n'
        'public_url = ""\ncitation = "x"\n')


def test_the_source_spec_rejects_unknown_and_dead_keys(tmp_path, monkeypatch):
    ok = _spec(tmp_path, monkeypatch, '[sources.generic_oh]\nadapter = "generic"\nmapping = "generic_ny.toml"\n' + BASE)
    assert ok[0].options == {"mapping": "generic_ny.toml"}
    with pytest.raises(KapdirError, match=r"\[sources.ct\]: unknown key\(s\) layout"):
        _spec(tmp_path, monkeypatch, '[sources.ct]\nadapter = "ct_socrata"\ndataset = "x"\nlayout = "ct"\n' + BASE)
    with pytest.raises(KapdirError, match="unknown key"):
        _spec(tmp_path, monkeypatch, '[sources.g]\nadapter = "generic"\nmaping = "typo.toml"\n' + BASE)
    with pytest.raises(KapdirError, match="'states' must be a list"):
        _spec(tmp_path, monkeypatch, '[sources.g]\nadapter = "generic"\n' + BASE.replace('["OH"]', '"OH"'))
    with pytest.raises(KapdirError, match="no adapter 'nope'"):
        _spec(tmp_path, monkeypatch, '[sources.g]\nadapter = "nope"\n' + BASE)
    with pytest.raises(KapdirError, match="missing 'citation'"):
        _spec(tmp_path, monkeypatch, '[sources.g]\nadapter = "generic"\n' + BASE.replace('citation = "x"\n', ""))


def test_no_branch_on_source_names_in_the_orchestrator():
    """The orchestrator reads what a source does from its class and its data, never from its name."""
    import re
    from pathlib import Path

    names = [info.name for info in all_sources()]
    for module in ("commands.py", "lookup.py", "check.py", "adapters.py"):
        text = (Path(__file__).resolve().parents[2] / "directory" / "boards" / module).read_text()
        for name in names:
            assert not re.search(rf"""["']{name}["']""", text), (module, name)


def test_every_generic_mapping_loads():
    for info in all_sources():
        if info.adapter == "generic":
            mapping = load_mapping(info.options["mapping"])
            assert mapping["path"].startswith("/")
            for word, status in mapping.get("status_words", {}).items():
                assert status in {s.value for s in LicenseStatus}, (info.name, word)


def test_every_source_and_setting_is_documented():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "directory" / "boards" / "README.md").read_text()
    for info in all_sources():
        if info.adapter != "generic":
            assert f"`{info.name}`" in readme, info.name
    for setting in ("SOURCE_URLS", "SOCRATA_APP_TOKEN", "SOURCE_CREDENTIALS", "BOARD_TIMEOUT_S", "BOARD_MAX_RETRIES",
                    "BOARD_BACKOFF_CAP_S", "BOARD_LOOKUP_DELAY_S", "BOARD_PAGE_SIZE", "MAX_REMOVAL_SHARE"):
        assert setting in readme, setting
    assert "never fetched" in readme.split("`psypact`")[1].split("\n")[0], "PSYPACT is a manual source"
