"""Text of a PDF the crawler fetched (an intake packet, a fee sheet), via pypdf."""

import io

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PdfStreamError

from directory.errors import KapdirError


def pdf_text(data: bytes) -> str:
    """All extractable text of a PDF, page after page; KapdirError if the bytes are not a readable PDF."""
    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()
    except (PdfReadError, PdfStreamError, ValueError, KeyError) as exc:
        raise KapdirError(f"not a readable PDF: {exc}") from exc
