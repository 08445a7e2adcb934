from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC now: what every stored timestamp uses (SQLite keeps no zone)."""
    return datetime.now(UTC).replace(tzinfo=None)
