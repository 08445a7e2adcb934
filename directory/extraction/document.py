"""A page parsed once: its lxml tree (HTML only) and its visible text as blocks, shared by every field extractor.

A block is one paragraph, list item, heading or table cell as a reader sees it, with the nearest heading
above it and whether it sits in the footer. Scripts, styles and other invisible markup never become text.
"""

import re
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice

import lxml.html
from lxml import etree

HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "nav", "aside", "main", "li", "ul", "ol", "dl",
        "dt", "dd", "table", "tr", "td", "th", "thead", "tbody", "blockquote", "address", "figure",
        "figcaption", "form", "label", "pre", "button", "hr", "br", "body", "html", "summary", "details",
        "caption", "option", "fieldset", "legend",
    }
    | HEADING_TAGS
)
INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "head", "select", "object"})
# Caps on what the field patterns see, so that a hostile page costs bounded time (docs/crawler.md): a practice
# page has ~2 kB of visible text and long ones ~50 kB; the facts we read sit well inside the first MAX_PAGE_TEXT
# characters. A longer block is cut into blocks of at most MAX_BLOCK characters, a sentence into pieces of at most
# MAX_SENTENCE; only the first MAX_LINKS links are read.
MAX_PAGE_TEXT = 100_000
MAX_BLOCK = 5_000
MAX_LINKS = 2_000
_FOOTER_HINT = re.compile(r"footer|site-info|copyright|colophon", re.I)
_SPACES = re.compile(r"\s+")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PARAGRAPHS = re.compile(r"\n\s*\n")
_LOGO_LINE = re.compile(r"[a-z]{3,}(?: [a-z&]+){0,2}")
LOWER_WORD = re.compile(r"(?<![\w'’])[a-z][a-z'’]+")
_BULLET = re.compile(r"^\s*(?:[•·▪●◦\-–*]|\d{1,2}[.)])\s+")


@dataclass
class Block:
    text: str
    tag: str  # h1..h6, li, p, td, div, line (plain text) ...
    heading: str = ""  # the nearest heading above this block
    footer: bool = False

    @property
    def is_heading(self) -> bool:
        return self.tag in HEADING_TAGS

    @cached_property
    def sentences(self) -> list[str]:
        """Split once, shared by every extractor."""
        return sentences(self.text)


@dataclass
class Document:
    url: str | None
    blocks: list[Block]
    tree: etree._Element | None = None  # None for plain text
    title: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, anchor text)

    @cached_property
    def text(self) -> str:
        """The visible text, joined once (several readers ask; the blocks are final once the page is parsed)."""
        return "\n".join(block.text for block in self.blocks)

    @cached_property
    def lower_words(self) -> frozenset[str]:
        """Words the page writes in lower case ("first", "approved"): a capitalised word that is also one of these
        is an everyday word, not a name (the people and practice-name readers both ask)."""
        # a short line all in lower case ("quarry psychedelics" at the top) is a logo, not everyday prose
        return frozenset(word for block in self.blocks if not _LOGO_LINE.fullmatch(block.text)
                         for word in LOWER_WORD.findall(block.text))


class _TextWalker:
    """Walks the tree once, cutting text at block boundaries (iteratively: Wix nests divs very deep)."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.heading = ""
        self.size = 0  # characters of text so far (the walk stops at MAX_PAGE_TEXT)

    def add(self, text: str) -> None:
        """Text of the next element or tail. Where two elements touch with no space ("<b>Jane Roe, APRN</b>
        <span>Prescriber</span>" laid out as separate lines by CSS), a word-then-capital junction gets one."""
        if self.parts and text and text[0].isalnum() and (text[0].isupper() or text[0].isdigit()):
            last = self.parts[-1][-1:]
            if last.isalnum():
                self.parts.append(" ")
        self.parts.append(text)

    def flush(self, tag: str, footer: bool) -> None:
        text = " ".join("".join(self.parts).split())  # = _SPACES.sub(" ", ...).strip(): same whitespace, faster
        self.parts.clear()
        if not text or self.size >= MAX_PAGE_TEXT:
            return
        text = text[: MAX_PAGE_TEXT - self.size]
        self.size += len(text)
        for chunk in _bounded(text, MAX_BLOCK):
            self.blocks.append(Block(text=chunk, tag=tag, heading=self.heading, footer=footer))
        if tag in HEADING_TAGS:
            self.heading = text[:MAX_SENTENCE]

    def walk(self, root: etree._Element) -> list[Block]:
        # Stack items: (element, footer flag, block tag of the enclosing block, entering?)
        stack: list[tuple[etree._Element, bool, str, bool]] = [(root, False, "div", True)]
        while stack and self.size < MAX_PAGE_TEXT:
            element, footer, enclosing, entering = stack.pop()
            tag = element.tag if isinstance(element.tag, str) else ""
            if not entering:
                if tag in BLOCK_TAGS:
                    self.flush(tag, footer)
                if element.tail:
                    self.add(element.tail)
                continue
            if not tag or tag in INVISIBLE_TAGS:  # comments, processing instructions, scripts: only the tail
                if element.tail:
                    self.add(element.tail)
                continue
            if tag in BLOCK_TAGS:
                self.flush(enclosing, footer)
                enclosing = tag
            hint = element.get("class", "") + element.get("id", "")
            if not footer and (tag == "footer" or _FOOTER_HINT.search(hint)):
                footer = True
            if tag == "br":
                self.flush(enclosing, footer)
            stack.append((element, footer, enclosing, False))
            if element.text:
                self.add(element.text)
            for child in reversed(element):
                stack.append((child, footer, enclosing, True))
        self.flush("div", False)
        return self.blocks


def parse_html(content: str | bytes, url: str | None) -> Document:
    if isinstance(content, str):
        content = content.encode("utf-8", errors="replace")  # ours to decode; lone surrogates become "?"
        parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True)
    else:
        try:  # most pages are UTF-8 whether or not they say so; lxml would otherwise guess Latin-1
            content.decode("utf-8")
            parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True)
        except UnicodeDecodeError:
            parser = lxml.html.HTMLParser(huge_tree=True)
    content = _CONTROL_BYTES.sub(b"", content)  # NUL and other control bytes are never text, and upset lxml
    if not content.strip():
        return Document(url=url, blocks=[])
    try:
        tree = lxml.html.document_fromstring(content, parser=parser)
    except etree.ParserError:  # markup with no content at all ("</td></tr>"): an empty page
        return Document(url=url, blocks=[])
    title = _SPACES.sub(" ", tree.findtext(".//title") or "").strip()
    meta: dict[str, str] = {}
    for node in tree.iter("meta"):
        key = node.get("property") or node.get("name")
        if key and node.get("content"):
            meta[key.lower()] = node.get("content").strip()
    links = [
        (node.get("href", "").strip()[:2000], _SPACES.sub(" ", node.text_content()[:1000]).strip())
        for node in islice((node for node in tree.iter("a") if node.get("href")), MAX_LINKS)
    ]
    body = tree.find("body")
    blocks = _TextWalker().walk(body if body is not None else tree)
    for block in blocks:
        if block.tag == "li" and _BULLET.match(block.text):
            block.text = _BULLET.sub("", block.text)
    return Document(url=url, blocks=blocks, tree=tree, title=title, meta=meta, links=links)


def _looks_like_heading(line: str) -> bool:
    return len(line) <= 70 and not line.endswith((".", ",", ";")) and line[:1].isupper() and len(line.split()) <= 10


def parse_text(content: str | bytes, url: str | None) -> Document:
    """Plain text: paragraphs are separated by blank lines; a short paragraph opener ("Our clinicians",
    "Where we are licensed:") heads the short lines under it, which read as list items."""
    if isinstance(content, bytes):
        content = content[: 4 * MAX_PAGE_TEXT].decode("utf-8", errors="replace")
    content = content[:MAX_PAGE_TEXT]
    blocks: list[Block] = []
    heading = ""
    for paragraph in _PARAGRAPHS.split(content):
        lines = [line for raw in paragraph.splitlines() if (line := _SPACES.sub(" ", raw).strip())]
        if not lines:
            continue
        opener, rest = lines[0], lines[1:]
        listed = bool(rest) and (_looks_like_heading(opener) or opener.endswith(":")) and all(
            len(line) <= 100 for line in rest
        )
        for position, line in enumerate(lines):
            if _BULLET.match(line) or (listed and position > 0):
                blocks += [Block(text=chunk, tag="li", heading=heading) for chunk in _bounded(_BULLET.sub("", line))]
                continue
            tag = "h3" if _looks_like_heading(line) or (listed and position == 0) else "p"
            blocks += [Block(text=chunk, tag=tag, heading=heading) for chunk in _bounded(line, MAX_BLOCK)]
            if tag == "h3":
                heading = line
    title = blocks[0].text if blocks else ""
    return Document(url=url, blocks=blocks, title=title)


_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Dr|Mr|Mrs|Ms|Mx|St|Ste|Dept|Inc|Jr|Sr|No|vs|Co|Corp|Ave|Blvd|Rd|Mt|Ft|Prof|etc|approx|U\.S|D\.C|"
    r"e\.g|i\.e|a\.m|p\.m|Ph\.D|Psy\.D|M\.D|D\.O|Ed\.D|M\.A|M\.S|M\.Ed|L\.P\.C)|(?:^|\s)[A-Z])\.$"
)
MAX_SENTENCE = 600
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9\"“(])")


def sentences(text: str) -> list[str]:
    """Split a block into sentences without cutting 'Dr. Roe', 'Dept. of' or 'Washington, D.C.'"""
    pieces = _SENTENCE_END.split(text)
    merged: list[str] = []
    for piece in pieces:
        if merged and _ABBREVIATIONS.search(merged[-1][-12:]):  # only the last word can be an abbreviation
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return [chunk for piece in merged for chunk in _bounded(piece.strip()) if chunk]


def _bounded(text: str, limit: int = MAX_SENTENCE) -> list[str]:
    """Cut a run-on "sentence" or block (a page with no full stops, or a hostile one) into pieces of at most
    `limit` characters at spaces, so that the context rules stay linear in the page's length."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    start = 0
    while len(text) - start > limit:
        cut = text.rfind(" ", start, start + limit)
        cut = cut if cut > start else start + limit
        chunks.append(text[start:cut].strip())
        start = cut
    chunks.append(text[start:].strip())
    return [chunk for chunk in chunks if chunk]
