"""Change events (issue 15): derived from the verdict history and the crawl's records, never logged twice.

- ``derive_events`` (events.py): every verdict change, practice appeared / vanished, changed prices or state list,
  each with before, after, when and why.
- ``render_atom`` (atom.py): a valid Atom feed of events; ``feeds.py`` serves one per watch list.
- watch.py: watch lists keyed by a typed name or e-mail; webhook.py: ``deliver_after_refresh``.
"""

from directory.changes.atom import render_atom
from directory.changes.events import EVENT_KINDS, Event, derive_events
from directory.changes.webhook import deliver_after_refresh

__all__ = ["EVENT_KINDS", "Event", "deliver_after_refresh", "derive_events", "render_atom"]
