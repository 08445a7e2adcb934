"""URLs and links: which site a URL belongs to, which links are worth following, which are of interest."""

import html
import re
from collections.abc import Iterator
from urllib.parse import urldefrag, urlsplit

import lxml.html
from lxml import etree

from crawler.profiles import SiteProfile

_PARSER = lxml.html.HTMLParser(encoding="utf-8")

ASSET_EXTENSIONS = frozenset(
    ".css .js .mjs .json .png .jpg .jpeg .gif .svg .webp .ico .bmp .tif .tiff .avif .woff .woff2 .ttf .otf .eot "
    ".mp3 .mp4 .m4a .mov .avi .webm .wav .ogg .zip .gz .tgz .rar .7z .dmg .exe .doc .docx .xls .xlsx .ppt .pptx "
    ".ics .rss .atom".split()
)
# Off-site links a patient needs: booking systems and prescribing partners (recorded, never crawled).
# Word starts only, so "facebook" is not a booking link.
OUTBOUND_OF_INTEREST = re.compile(
    r"\b(book|schedul|appointment|janeapp|simplepractice|calendly|intakeq|zocdoc|acuityscheduling|therapyportal"
    r"|headway|journeyclinical|journey clinical|mindbloom|nushama|partner|prescrib)",
    re.IGNORECASE,
)


def host_of(url: str) -> str:
    """Lower-case host with a non-default port, without a leading 'www.'."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    default_port = {"http": 80, "https": 443}.get(parts.scheme)
    if parts.port and parts.port != default_port:
        return f"{host}:{parts.port}"
    return host


def site_key(url: str) -> str:
    """A practice's stable key: its host ('calmharbor.example')."""
    return host_of(url)


def clean_url(url: str) -> str:
    return urldefrag(url.strip())[0]


def is_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def is_asset(url: str) -> bool:
    path = urlsplit(url).path.lower()
    dot = path.rfind(".")
    return dot >= 0 and path[dot:] in ASSET_EXTENSIONS  # each extension is one dot and letters: its last dot


def is_pdf(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(".pdf")


def is_denied(url: str, profile: SiteProfile) -> bool:
    lowered = url.lower()
    return any(pattern in lowered for pattern in profile.deny)


def is_relevant(url: str, anchor_text: str, profile: SiteProfile) -> bool:
    """A page that matters for the directory (team, bios, services, ketamine, locations, fees, FAQ...)."""
    haystack = f"{urlsplit(url).path.lower()} {anchor_text.lower()}"
    return any(keyword in haystack for keyword in profile.keywords)


def keyword_hits(url: str, anchor_text: str, profile: SiteProfile) -> int:
    """How many of the profile's keywords a link's path and text name: the rank of a link that is not in a menu."""
    haystack = f"{urlsplit(url).path.lower()} {anchor_text.lower()}"
    return sum(keyword in haystack for keyword in profile.keywords)


# Links in a menu or footer of the home page are the site's own table of contents: they come first, whatever they
# are called ("Where We Practice", "Our Physicians"). Read with lxml on the home page only; an anchor is in a menu
# when one of its nearest ancestors is <nav>, <header> or <footer>, or has role=navigation or a menu-like class/id.
MENU_TAGS = frozenset({"nav", "header", "footer"})
_MENU_HINT = re.compile(r"nav|menu|footer|header", re.IGNORECASE)
_MENU_DEPTH = 25  # ancestors looked at (a hostile page may nest a link thousands of levels deep)
_MAX_ANCHORS = 2_000


def menu_links(page: str) -> set[str]:
    """The hrefs (as written) of the links in a page's menus, header and footer."""
    try:
        tree = lxml.html.document_fromstring(page.encode("utf-8", errors="replace"), parser=_PARSER)
    except (etree.ParserError, ValueError):
        return set()
    found: set[str] = set()
    anchors = (node for node in tree.iter("a") if node.get("href"))
    for _, anchor in zip(range(_MAX_ANCHORS), anchors, strict=False):
        for depth, parent in enumerate(anchor.iterancestors()):
            if depth >= _MENU_DEPTH:
                break
            hint = f"{parent.get('class', '')} {parent.get('id', '')}"
            if parent.tag in MENU_TAGS or parent.get("role") == "navigation" or _MENU_HINT.search(hint):
                found.add(html.unescape(anchor.get("href")).strip())
                break
    return found


def is_outbound_of_interest(url: str, anchor_text: str) -> bool:
    return bool(OUTBOUND_OF_INTEREST.search(f"{url} {anchor_text}"))


def path_key(url: str) -> str:
    """The URL without its query string: variants of one path share it (trap guard)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


# Anchors by pattern rather than a second DOM parse of every page (the extractor parses it once already). The
# label stops at the next <a or </a, so an unclosed anchor in broken HTML costs a bounded scan, not the page; the
# attributes stop at the next < or >, so a megabyte of "<a <a <a" costs one pass, not one per "<a".
_ANCHOR = re.compile(r"<a\b([^<>]{0,4000})>((?:(?!</?a\b).){0,400})", re.IGNORECASE | re.DOTALL)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def iter_anchors(page: str) -> Iterator[tuple[str, str]]:
    """(href, visible label) of every <a href> in an HTML page, entities decoded."""
    for match in _ANCHOR.finditer(page):
        href = _HREF.search(match.group(1))
        if href is None:
            continue
        target = html.unescape(next(group for group in href.groups() if group is not None)).strip()
        label = " ".join(html.unescape(_TAG.sub(" ", match.group(2))).split())[:200]
        yield target, label
