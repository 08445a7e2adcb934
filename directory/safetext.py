"""Outside text (crawled pages, board rosters) made safe for the places kapdir shows it.

Extraction keeps what a page says, control characters included: a practice name can carry an ANSI escape
(``\\x1b[2J``, or OSC 8 hyperlinks), a byte XML forbids, or a bidi override (U+202E) that reverses the text shown
after it. Each output removes them here, in one place:

- ``printable``: for terminals and the dashboard: no C0/C1 control characters (tab and newline kept when asked),
  no DEL, no bidi embeddings, overrides or isolates (the Trojan Source characters, CVE-2021-42574);
- ``xml_text``: ``printable`` plus nothing XML 1.0 forbids (lone surrogates, U+FFFE, U+FFFF);
- ``spreadsheet_cell``: a CSV cell without control characters (a CSV printed to a terminal is a terminal's
  input), and quoted when a spreadsheet would run it as a formula (OWASP CSV injection);
- ``plain_console``: a rich Console that reads no markup (``[link=...]`` in a board's name stays text).
"""

import re

# C0 controls but tab/newline, DEL and C1 controls; bidi embeddings/overrides (U+202A-U+202E) and isolates
# (U+2066-U+2069). Zero-width joiners stay: some scripts and emoji need them.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def printable(text: object, *, keep_lines: bool = False) -> str:
    """``text`` without control and bidi-override characters (a newline or tab becomes a space unless kept)."""
    value = "" if text is None else str(text)
    if not keep_lines:
        value = value.replace("\n", " ").replace("\t", " ")
    return _UNSAFE.sub("", value)


def xml_text(text: object) -> str:
    """Text an XML document may carry (lxml refuses control characters: one such name broke the whole feed)."""
    return _NOT_XML.sub("", printable(text, keep_lines=True))


def spreadsheet_cell(value):
    """A string cell without control characters; one a spreadsheet would evaluate (=, +, -, @, tab, CR, LF first)
    gets a leading apostrophe."""
    if not isinstance(value, str):
        return value
    value = printable(value, keep_lines=True)  # first: "\x1b=1" would be a formula once cleaned
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def plain_console(**options):
    """A rich Console for tables of outside text: no markup, no emoji codes, no highlighting."""
    from rich.console import Console

    return Console(markup=False, emoji=False, highlight=False, **options)
