"""The Atom writer on hostile crawled text: feedparser reads it back valid, the text literal, nothing live."""

from datetime import datetime

import feedparser

from directory.changes.atom import render_atom
from directory.changes.events import Event

HOSTILE = 'Calm <script>alert(1)</script> & <img src=x onerror=alert(1)> "Care" ]]>'


def test_hostile_text_is_escaped_and_reads_back_literally():
    event = Event(id="prices:1:2", kind="prices_changed", practice_id=1, practice=HOSTILE,
                  when=datetime(2026, 12, 1, 8, 30), summary=f"{HOSTILE} now lists $400",
                  before=["$350"], after=["$400"], why={"evidence": [{"snippet": HOSTILE}]})
    xml = render_atom([event], title="t", feed_id="all", self_url="http://127.0.0.1:8502/feeds/all.atom")
    assert b"<script>" not in xml and b"<img" not in xml
    feed = feedparser.parse(xml)
    assert not feed.bozo and feed.version == "atom10"
    entry = feed.entries[0]
    assert HOSTILE in entry.title and HOSTILE in entry.content[0].value
    assert entry.content[0].type == "text/plain"
    assert entry.id.endswith("event/prices:1:2") and entry.updated.startswith("2026-12-01T08:30:00")


def test_an_empty_feed_is_still_valid():
    feed = feedparser.parse(render_atom([], title="nothing yet", feed_id="all"))
    assert not feed.bozo and feed.entries == [] and feed.feed.title == "nothing yet"
