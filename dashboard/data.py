"""The dashboard's access to the database: one cached engine, cached query results, all via directory.queries."""

import os
from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlalchemy.engine import Engine

from dashboard.launch import DB_ENV
from directory import queries
from directory.db import get_engine, resolve_url, session_scope, upgrade

RESULT_TTL_S = 30  # search results are cheap to recompute; keep them fresh while a crawl writes

T = TypeVar("T")


def database_url() -> str:
    """KAPDIR_DASHBOARD_DB (a URL or an SQLite path), else DATABASE_URL, else the data directory's file."""
    configured = os.environ.get(DB_ENV, "").strip()
    if configured and "://" in configured:
        return configured
    return resolve_url(configured or None)


@st.cache_resource(show_spinner=False)
def engine_for(url: str) -> Engine:
    upgrade(url)  # idempotent: a fresh database gets its schema, an existing one is left as is
    return get_engine(url)


def run(query: Callable[..., T], **kwargs) -> T:
    """Run one directory.queries function in its own session (uncached: admin views and writes)."""
    with session_scope(engine_for(database_url())) as session:
        return query(session, **kwargs)


@st.cache_data(ttl=RESULT_TTL_S, show_spinner=False)
def _cached(url: str, name: str, frozen: tuple) -> object:
    query = getattr(queries, name)
    with session_scope(engine_for(url)) as session:
        return query(session, **{key: (list(value) if isinstance(value, tuple) else value) for key, value in frozen})


def cached(name: str, **kwargs) -> object:
    """A cached call of directory.queries.<name>; list arguments are frozen to tuples for the cache key."""
    frozen = tuple(sorted((key, tuple(value) if isinstance(value, list) else value) for key, value in kwargs.items()))
    return _cached(database_url(), name, frozen)


def clear() -> None:
    _cached.clear()
