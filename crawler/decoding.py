"""Decode a body whose declared charset may be missing or wrong (real sites do both)."""

import codecs


def _known(encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return None


def decode_body(body: bytes, declared: str | None) -> tuple[str, str | None, bool]:
    """Return (text, note, lossy): strict declared charset, else UTF-8, else Windows-1252, else UTF-8 with
    replacement characters (lossy). The note says when the declared charset was missing or wrong."""
    declared_name = _known(declared)
    candidates = [name for name in (declared_name, "utf-8", "cp1252") if name]
    for name in dict.fromkeys(candidates):
        try:
            text = body.decode(name)
        except UnicodeDecodeError:
            continue
        if declared_name and name != declared_name:
            return text, f"declared charset {declared} is wrong; decoded as {name}", False
        if not declared_name and declared:
            return text, f"unknown charset {declared}; decoded as {name}", False
        return text, None, False
    return body.decode("utf-8", errors="replace"), "undecodable bytes replaced", True
