"""Roster dates in each source's declared format: a date that does not parse is an error, never a silent None.

A silent None would switch off the "active but past its expiry" check for that record. So a row whose date
cannot be read keeps its record (the license exists) with status ``unknown`` and the bad field named in
``raw[DATE_ERRORS]``; the store counts those rows and fails the whole sync when they are more than a small share
(then the format has changed, and the previous data is kept).
"""

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from directory.boards.base import clean
from directory.vocab import LicenseStatus

DATE_ERRORS = "_date_errors"  # key in NormalRecord.raw: ["expiry_date='13/45/2026'", ...]
# Keys the roster adapters add to a record's raw row (not the source's own fields: a live check ignores them).
ADDED_KEYS = frozenset({DATE_ERRORS, "twins", "cases", "verify_url"})


def source_fields(keys: set[str]) -> set[str]:
    """The source's own field names among a raw record's (dotted) keys."""
    return {key for key in keys if key.split(".", 1)[0] not in ADDED_KEYS}

_EMPTY = re.compile(r"^[0/\-]*$")  # '', '00000000' (LEIE's "no date"), '00/00/0000'

# Regex fast paths for the roster formats (strptime dominates a million-row sync): format -> (pattern, y/m/d groups).
_FAST = {
    "%m/%d/%Y": (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), (3, 1, 2)),
    "%Y%m%d": (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), (1, 2, 3)),
    "%Y-%m-%d": (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), (1, 2, 3)),
    "%Y-%m-%dT%H:%M:%S": (re.compile(r"^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}:\d{2}$"), (1, 2, 3)),
    "%Y-%m-%dT%H:%M:%S.%f": (re.compile(r"^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}:\d{2}\.\d{1,6}$"), (1, 2, 3)),
}


def _parse(text: str, fmt: str) -> date:
    fast = _FAST.get(fmt)
    if fast is None:
        return datetime.strptime(text, fmt).date()
    match = fast[0].match(text)
    if match is None:
        raise ValueError(f"{text!r} does not match {fmt}")
    year, month, day = (int(match[group]) for group in fast[1])
    return date(year, month, day)


class DateError(ValueError):
    """A non-empty date that matches none of the source's declared formats."""


def read_date(value: Any, formats: tuple[str, ...]) -> date | None:
    """``value`` in one of ``formats`` (strptime patterns); None only for an empty cell or an all-zero sentinel."""
    parsed = _read_text(value, formats) if type(value) is str else _read(clean(value), formats)
    if parsed is _UNREADABLE:
        raise DateError(f"{clean(value)!r} is not in the declared format ({' or '.join(formats)})")
    return parsed


_UNREADABLE = object()


def _read(text: str, formats: tuple[str, ...]) -> Any:
    """The date, None (empty), or _UNREADABLE."""
    if _EMPTY.match(text):
        return None
    for fmt in formats:
        try:
            return _parse(text, fmt)
        except ValueError:
            continue
    return _UNREADABLE


@lru_cache(maxsize=65536)  # a roster repeats its dates (a few expiry days, thousands of issue days)
def _read_text(value: str, formats: tuple[str, ...]) -> Any:
    return _read(clean(value), formats)


def read_dates(formats: tuple[str, ...], **values: Any) -> tuple[dict[str, date | None], list[str]]:
    """Several date cells of one row: ({field: date or None}, ["field='bad text'", ...])."""
    out: dict[str, date | None] = {}
    errors: list[str] = []
    for name, value in values.items():
        try:
            out[name] = read_date(value, formats)
        except DateError:
            out[name] = None
            errors.append(f"{name}={clean(value)!r}")
    return out, errors


def dated_fields(formats: tuple[str, ...], raw: dict[str, Any], **values: Any) -> dict[str, Any]:
    """Keyword arguments for ``Source.record``: the parsed dates, and for a row with an unreadable date the
    status ``unknown`` (never verified on a record we could not fully read) and the errors in ``raw``."""
    parsed, errors = read_dates(formats, **values)
    if not errors:
        return {**parsed, "raw": raw}
    return {**parsed, "status": LicenseStatus.UNKNOWN, "raw": {**raw, DATE_ERRORS: errors}}
