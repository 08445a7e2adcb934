class KapdirError(Exception):
    """An expected failure with a one-line message for the user (CLI exit 1, no traceback)."""


class SourceError(KapdirError):
    """A board source was down, throttled, slow or returned garbage."""
