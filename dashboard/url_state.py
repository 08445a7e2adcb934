"""Widget state <-> URL query string, so a search is shareable (?state=FL&mode=virtual reproduces it).

On a page's first run in a session, each widget's state is seeded from the URL (values not among the
widget's options are ignored); after the widgets render, the URL is rewritten from their values.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class Param:
    key: str  # the widget key
    name: str  # the query-string name
    default: object
    options: Sequence | None = None  # allowed values (for selects); None = free text / number
    multi: bool = False
    kind: type = str  # str, int, float or bool


def _parse(param: Param, raw: list[str]) -> object:
    try:
        if param.multi:
            values = [param.kind(v) for v in raw]
            return [v for v in values if param.options is None or v in param.options] or param.default
        value = raw[-1]
        if param.kind is bool:
            return value.lower() in {"1", "true", "yes"}
        parsed = param.kind(value)
    except (ValueError, IndexError):
        return param.default
    return parsed if param.options is None or parsed in param.options else param.default


def seed_from_url(params: Sequence[Param]) -> None:
    for param in params:
        if param.key in st.session_state:
            continue
        raw = st.query_params.get_all(param.name)
        st.session_state[param.key] = _parse(param, raw) if raw else param.default


def write_to_url(params: Sequence[Param], *, keep: Sequence[str] = ()) -> None:
    """Rewrite the query string from widget values; defaults are left out to keep links short."""
    values: dict[str, str | list[str]] = {name: st.query_params[name] for name in keep if name in st.query_params}
    for param in params:
        value = st.session_state.get(param.key, param.default)
        if value == param.default or value is None or value == []:
            continue
        if param.multi:
            values[param.name] = [str(v) for v in value]
        elif param.kind is bool:
            values[param.name] = "1" if value else "0"
        else:
            values[param.name] = str(value)
    current = {name: st.query_params.get_all(name) for name in st.query_params}
    wanted = {name: value if isinstance(value, list) else [value] for name, value in values.items()}
    if current != wanted:  # only touch the URL when it differs (each write is a browser history entry)
        st.query_params.from_dict(values)
