"""The provider page's "What changed" section and its "watch this practice" control (issue 15).

The events are the ones `kapdir changes` lists (directory.changes, derived from the verdict history and the crawl
records). Crawled text in them is shown through ``md`` / ``st.text``, never as HTML.
"""

import streamlit as st
from sqlmodel import Session

from dashboard import data
from dashboard.render import md, when
from directory.boards.registry import source_label
from directory.changes.events import Event, derive_events
from directory.changes.feeds import feed_url
from directory.changes.watch import add_to_watch, find_watch, remove_from_watch, watched_practice_ids
from directory.errors import KapdirError

EVENTS_SHOWN = 20


def practice_events(session: Session, practice_id: int) -> list[Event]:
    return derive_events(session, practice_ids=[practice_id])


def _watch_state(session: Session, name: str, practice_id: int) -> tuple[bool, str | None]:
    watch = find_watch(session, name)
    if watch is None:
        return False, None
    return practice_id in watched_practice_ids(session, watch), watch.feed_token


def _value(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    return str(value).replace("_", " ")


def _why(event: Event) -> str:
    why = event.why
    parts = [why.get("basis") or "", f"Source: {source_label(why['source'])}" if why.get("source") else "",
             f"Board status: {why['raw_status']}" if why.get("raw_status") else "",
             f"Record as of {why['source_as_of']}" if why.get("source_as_of") else ""]
    snippets = [item.get("snippet") for item in why.get("evidence", []) if item.get("snippet")]
    if snippets:
        parts.append(f"The site: “{snippets[0]}”")
    return " · ".join(filter(None, parts))


def what_changed(practice_id: int) -> None:
    """The practice's change events, newest first, each with before, after, when and why."""
    st.subheader("What changed")
    try:
        events = data.run(practice_events, practice_id=practice_id)
    except KapdirError as exc:
        st.error(md(exc))
        return
    if not events:
        st.caption("No changes recorded yet.")
    for event in events[:EVENTS_SHOWN]:
        with st.container(border=True):
            st.markdown(f"**{md(event.label)}** · {md(when(event.when))}")
            st.markdown(md(event.summary))
            st.caption(md(f"Before: {_value(event.before)} · After: {_value(event.after)}"))
            if why := _why(event):
                st.caption(md(f"Why: {why}"))
    if len(events) > EVENTS_SHOWN:
        st.caption(f"{len(events) - EVENTS_SHOWN} earlier changes: `kapdir changes --practice {practice_id}`.")


def watch_control(practice_id: int) -> None:
    """Watch this practice under a name or e-mail the user types (no account); shows the list's feed URL."""
    st.subheader("Watch this practice")
    st.caption("Type a name or e-mail to keep a watch list under it. Anyone who types the same name sees the "
               "same list, so pick something only you would use.")
    name = st.text_input("Your name or e-mail", key="watch_name", max_chars=200).strip()
    if not name:
        return
    try:
        watching, token = data.run(_watch_state, name=name, practice_id=practice_id)
        if not watching and st.button("Watch this practice", key="watch_add"):
            data.run(add_to_watch, name=name, practice_ids=[practice_id])
            st.rerun()  # show the list as stored
        elif watching and st.button("Stop watching", key="watch_remove"):
            data.run(remove_from_watch, name=name, practice_ids=[practice_id])
            st.rerun()
    except KapdirError as exc:
        st.error(md(exc))
        return
    if watching:
        st.success("You watch this practice. Its changes are in your feed, and in "
                   "`kapdir changes --watch` with your name.")
    if token:
        st.caption("Atom feed of the practices you watch (served by `kapdir feeds serve`):")
        st.code(feed_url(token), language=None)


def changes_section(practice_id: int) -> None:
    what_changed(practice_id)
    watch_control(practice_id)
