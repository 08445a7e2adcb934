"""Change events as an Atom 1.0 feed (RFC 4287), written by feedgen.

Crawled text (practice names, snippets) is hostile: every entry's title and content are ``type="text"``, which
feedgen escapes, so a feed reader shows ``<script>`` as characters and never runs it. Characters XML cannot carry
(a control character in a crawled name) are dropped (``xml_text``): lxml refuses them, and one such name used to
fail the whole feed.
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator

from directory.changes.events import Event
from directory.safetext import xml_text
from directory.timeutil import utcnow

FEED_ENTRIES_MAX = 200
TAG_AUTHORITY = "kapdir.invalid,2026"  # tag URIs (RFC 4151): stable entry ids that are not web addresses


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _text(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value)) or "(none)"
    return str(value)


def event_text(event: Event) -> str:
    """The plain-text body of an entry: before, after, when and why."""
    lines = [event.summary, "", f"Before: {_text(event.before)}", f"After: {_text(event.after)}",
             f"When: {event.when:%Y-%m-%d %H:%M} UTC", "Why:"]
    lines += [f"  {key}: {json.dumps(value, default=str) if isinstance(value, dict | list) else value}"
              for key, value in event.why.items() if value not in (None, "", [], {})]
    return "\n".join(lines)


def render_atom(events: Sequence[Event], *, title: str, feed_id: str, self_url: str | None = None) -> bytes:
    """A valid Atom document of the newest ``FEED_ENTRIES_MAX`` events (bytes, UTF-8)."""
    feed = FeedGenerator()
    feed.id(f"tag:{TAG_AUTHORITY}:feed/{feed_id}")
    feed.title(xml_text(title))
    feed.author({"name": "kapdir"})
    feed.subtitle("What changed: verdicts, practices, prices and state lists, each with before, after and why.")
    feed.generator("kapdir")
    if self_url:
        feed.link(href=self_url, rel="self", type="application/atom+xml")
    newest = sorted(events, key=lambda e: (e.when, e.id), reverse=True)[:FEED_ENTRIES_MAX]
    feed.updated(_aware(newest[0].when if newest else utcnow()))
    for event in reversed(newest):  # feedgen lists the last added entry first
        entry = feed.add_entry()
        entry.id(f"tag:{TAG_AUTHORITY}:event/{event.id}")
        entry.title(xml_text(f"{event.label}: {event.summary}"))
        entry.updated(_aware(event.when))
        entry.published(_aware(event.when))
        entry.category(term=event.kind, label=xml_text(event.label))
        entry.content(xml_text(event_text(event)), type="text")
        source_url = event.why.get("source_url")
        if isinstance(source_url, str) and source_url.startswith(("http://", "https://")):
            entry.link(href=xml_text(source_url), rel="related")
    return feed.atom_str(pretty=True)
