"""pdf_text: a real (hand-built) PDF's text via pypdf; garbage is a one-line KapdirError."""

import pytest

from directory.errors import KapdirError
from directory.extraction import extract_page, pdf_text


def tiny_pdf(lines: list[str]) -> bytes:
    """A minimal valid PDF with one page of text (Helvetica), xref offsets computed."""
    text = " ".join(f"({line}) Tj 0 -16 Td" for line in lines)
    stream = f"BT /F1 12 Tf 72 720 Td {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_text_reads_a_real_pdf():
    data = tiny_pdf(["Intake packet", "Jane Roe, LPC, sees clients in Connecticut (virtual only).", "Fee: $180"])
    text = pdf_text(data)
    assert "Jane Roe, LPC" in text and "$180" in text
    facts = extract_page(text, content_type="text/plain")
    assert facts.clinicians[0].name == "Jane Roe"
    direct = extract_page(data, url="http://s.example/files/intake.pdf")  # PDF bytes straight in
    assert [c.name for c in direct.clinicians] == ["Jane Roe"]
    assert [(s.state, s.in_person, s.virtual) for s in facts.states] == [("CT", False, True)]


@pytest.mark.parametrize("junk", [b"", b"not a pdf", b"%PDF-1.4\n garbage without objects"])
def test_pdf_text_rejects_garbage(junk):
    with pytest.raises(KapdirError) as error:
        pdf_text(junk)
    assert "\n" not in str(error.value)
