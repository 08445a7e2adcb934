"""URLs and links: which site a URL belongs to, which links are worth following, which are of interest."""

import html
import re
from collections.abc import Iterator
from urllib.parse import urldefrag, urlsplit

from crawler.profiles import SiteProfile

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
    return any(path.endswith(ext) for ext in ASSET_EXTENSIONS)


def is_pdf(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(".pdf")


def is_denied(url: str, profile: SiteProfile) -> bool:
    lowered = url.lower()
    return any(pattern in lowered for pattern in profile.deny)


def is_relevant(url: str, anchor_text: str, profile: SiteProfile) -> bool:
    """A page that matters for the directory (team, bios, services, ketamine, locations, fees, FAQ...)."""
    haystack = f"{urlsplit(url).path.lower()} {anchor_text.lower()}"
    return any(keyword in haystack for keyword in profile.keywords)


def is_outbound_of_interest(url: str, anchor_text: str) -> bool:
    return bool(OUTBOUND_OF_INTEREST.search(f"{url} {anchor_text}"))


def path_key(url: str) -> str:
    """The URL without its query string: variants of one path share it (trap guard)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


# Anchors by pattern rather than a second DOM parse of every page (the extractor parses it once already). The
# label stops at the next <a or </a, so an unclosed anchor in broken HTML costs a bounded scan, not the page.
_ANCHOR = re.compile(r"<a\b([^>]*)>((?:(?!</?a\b).){0,400})", re.IGNORECASE | re.DOTALL)
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
