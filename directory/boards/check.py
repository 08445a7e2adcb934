"""Live checks: one tiny real query per source, compared with the format the adapter expects.

``kapdir boards check [SOURCE ...]`` and ``pytest -m live`` (tests/boards/test_live.py) both call
``check_source``. A result says whether the source was reachable and whether its answer still has the expected
format, or what changed: unknown fields, missing fields, status words with no mapping.
"""

from dataclasses import dataclass, field

from directory.boards.adapters import make_adapter
from directory.boards.dates import DATE_ERRORS
from directory.boards.registry import SourceInfo, get_source
from directory.errors import KapdirError, SourceError
from directory.vocab import LicenseStatus

SAMPLE = 5  # records read per source


@dataclass
class CheckResult:
    source: str
    status: str  # ok | changed | unreachable | skipped
    records: int = 0
    unknown_fields: list[str] = field(default_factory=list)
    missing_fields: list[str] = field(default_factory=list)
    unmapped_status_words: list[str] = field(default_factory=list)
    unreadable_dates: list[str] = field(default_factory=list)  # "record: field='text'" not in the declared format
    message: str = ""

    def line(self) -> str:
        if self.status in {"unreachable", "skipped"}:
            return f"{self.source}: {self.status}: {self.message}"
        if self.status == "ok":
            return f"{self.source}: reachable, format as expected ({self.records} records read)"
        parts = [f"unknown fields: {', '.join(self.unknown_fields)}" if self.unknown_fields else "",
                 f"missing fields: {', '.join(self.missing_fields)}" if self.missing_fields else "",
                 f"unmapped status words: {', '.join(self.unmapped_status_words)}"
                 if self.unmapped_status_words else "",
                 f"unreadable dates: {', '.join(self.unreadable_dates)}" if self.unreadable_dates else "", self.message]
        return f"{self.source}: reachable, format changed: " + "; ".join(p for p in parts if p)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def check_source(info: SourceInfo) -> CheckResult:
    if info.manual:
        return CheckResult(info.name, "skipped", message=f"manual source, never fetched. {info.check_here()}")
    if not info.configured:
        return CheckResult(info.name, "skipped", message="not configured (no URL: set it in KAPDIR_SOURCE_URLS)")
    try:
        adapter = make_adapter(info.name)
        records = list(adapter.check_records(SAMPLE))
    except (SourceError, KapdirError) as exc:
        return CheckResult(info.name, "unreachable", message=str(exc).splitlines()[0])
    except (KeyError, TypeError, ValueError) as exc:  # the answer no longer has the shape the adapter reads
        return CheckResult(info.name, "changed", message=f"unexpected data ({type(exc).__name__}: {exc})")
    result = CheckResult(info.name, "ok", records=len(records))
    errors = getattr(adapter, "errors", {}) or {}
    if not records:
        result.status = "changed" if not errors else "unreachable"
        result.message = (next(iter(errors.values())) if errors else
                          "no records in the sample: cannot tell whether the format is as expected")
        return result
    seen = set().union(*(adapter.raw_fields(r) for r in records))
    result.missing_fields = sorted(adapter.fields_expected - seen)
    if adapter.fields_known:
        result.unknown_fields = sorted(seen - adapter.fields_known - adapter.fields_expected)
    result.unmapped_status_words = sorted({r.status_raw for r in records if r.status_raw
                                           and adapter.status(r.status_raw) is LicenseStatus.UNKNOWN})
    result.unreadable_dates = [f"{r.record_key}: {r.raw[DATE_ERRORS][0]}" for r in records if r.raw.get(DATE_ERRORS)]
    if result.missing_fields or result.unknown_fields or result.unmapped_status_words or result.unreadable_dates:
        result.status = "changed"
    return result


def check_sources(names: list[str]) -> list[CheckResult]:
    from directory.boards.registry import all_sources

    infos = [get_source(n) for n in names] if names else all_sources()
    return [check_source(info) for info in infos]
