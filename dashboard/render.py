"""Safe rendering helpers shared by the pages.

Crawled text is hostile: it is never rendered as HTML, and before it goes into anything Streamlit
renders as Markdown (markdown, captions, headers, alerts) every Markdown special is backslash-escaped,
so a name like ``<script>`` or ``[x](javascript:...)`` shows literally.
"""

import re
import string
from datetime import datetime

import streamlit as st

from directory.queries import board_link
from directory.safetext import printable
from directory.vocab import BADGE_LABELS, BADGE_MEANINGS, VERDICT_LABELS, Badge, badge_for

_ESCAPED = {ch: "\\" + ch for ch in string.punctuation}

BADGE_STYLE: dict[Badge, tuple[str, str]] = {
    Badge.VERIFIED: ("green", ":material/verified:"),
    Badge.WARNING: ("orange", ":material/warning:"),
    Badge.PROBLEM: ("red", ":material/error:"),
    Badge.UNVERIFIED: ("gray", ":material/help:"),
}

NOT_ADVICE = (
    "kapdir is not medical or legal advice. It reports what public licensing records said when last checked; "
    "confirm with the licensing board before relying on it."
)


_WORD_JOINER = "\u2060"


def md(text: object) -> str:
    """Escape every Markdown special (and collapse line breaks) so untrusted text renders literally.

    Streamlit's Markdown also turns bare www., http:// and e-mail text into links after parsing, so
    backslashes cannot stop it: an invisible word joiner before "@", "://" and after "www" does. Control and
    bidi-override characters go (``printable``): a U+202E in a name would reverse the verdict shown after it.
    """
    plain = " ".join(printable(text).split())
    plain = re.sub(r"(?i)\bwww(?=\.)", lambda m: m.group(0) + _WORD_JOINER, plain)
    plain = plain.replace("://", _WORD_JOINER + "://").replace("@", _WORD_JOINER + "@")
    return "".join(_ESCAPED.get(ch, ch) for ch in plain)


def badge(kind: Badge) -> None:
    color, icon = BADGE_STYLE[kind]
    st.badge(BADGE_LABELS[kind], icon=icon, color=color)


def when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else "never"


def link(label: str, url: str | None) -> None:
    """A plain link when the URL is http(s); otherwise the URL as text (never a javascript: link)."""
    safe = board_link(url)
    if safe:
        st.markdown(f"[{md(label)}]({safe})")
    elif url:
        st.text(printable(f"{label}: {url}"))


def legend() -> None:
    """What the four badges mean, and the plain words behind every verdict code."""
    st.markdown("**What the badges mean**")
    for kind in Badge:
        badge(kind)
        st.caption(BADGE_MEANINGS[kind])
    with st.expander("Every verdict in words"):
        for code, label in VERDICT_LABELS.items():
            st.caption(f"{BADGE_LABELS[badge_for(code)]}: {label}")


def notice() -> None:
    st.caption(":material/info: " + NOT_ADVICE)
