"""The fixed split of the real labelled pages (../shared/realpages) into a development and a frozen test part.

Chosen once by a hash of the page's URL, never by looking at the pages: a third goes to the test part. Rules are
developed on the development part only; the test part is scored, never read.
"""

import hashlib

DEV = "dev"
TEST = "test"


def real_split(url: str) -> str:
    """'test' for about a third of URLs, 'dev' for the rest; stable across runs and machines."""
    digest = int(hashlib.sha256(url.strip().encode("utf-8")).hexdigest(), 16)
    return TEST if digest % 3 == 0 else DEV
