"""Hypothesis: the normalisers are idempotent and prices round-trip."""

from hypothesis import given
from hypothesis import strategies as st

from directory.extraction.contact import format_price, normalise_email, normalise_phone, parse_price
from directory.extraction.geography import NAME_BY_CODE, STATE_CODES, normalise_state
from directory.extraction.taxonomy import all_codes, lookup, normalise_code
from directory.names import name_key

state_spellings = st.one_of(
    st.sampled_from(sorted(STATE_CODES)),
    st.sampled_from(sorted(NAME_BY_CODE.values())),
    st.sampled_from(sorted(STATE_CODES)).map(str.lower),
    st.sampled_from(sorted(NAME_BY_CODE.values())).map(str.upper),
    st.text(max_size=20),
)


@given(state_spellings)
def test_state_normalisation_is_idempotent(text):
    once = normalise_state(text)
    assert once is None or (once in STATE_CODES and normalise_state(once) == once)


@given(st.sampled_from(sorted(NAME_BY_CODE.items())))
def test_every_state_name_and_code_normalises(pair):
    code, name = pair
    assert normalise_state(name) == code == normalise_state(code.lower())


us_numbers = st.builds(
    lambda area, exchange, line, style: style.format(a=area, e=exchange, l=line),
    st.sampled_from(["203", "410", "512", "617", "702", "808", "907"]),
    st.integers(200, 999).map(str),
    st.integers(0, 9999).map(lambda n: f"{n:04d}"),
    st.sampled_from(["({a}) {e}-{l}", "{a}-{e}-{l}", "{a}.{e}.{l}", "+1 {a} {e} {l}", "1-{a}-{e}-{l}", "{a}{e}{l}"]),
)


@given(st.one_of(us_numbers, st.text(max_size=20)))
def test_phone_e164_is_idempotent(text):
    once = normalise_phone(text)
    assert once is None or (once.startswith("+") and normalise_phone(once) == once)


@given(us_numbers)
def test_us_numbers_in_any_style_agree(text):
    digits = "".join(ch for ch in text if ch.isdigit())[-10:]
    once = normalise_phone(text)
    assert once is None or once == "+1" + digits


@given(st.text(max_size=40))
def test_name_key_is_idempotent(text):
    assert name_key(name_key(text)) == name_key(text)


@given(st.one_of(st.sampled_from(all_codes()), st.text(max_size=15)))
def test_credential_code_normalisation_is_idempotent(text):
    key = normalise_code(text)
    assert normalise_code(key) == key
    info = lookup(text)
    if info is not None:
        assert lookup(info.code) == info  # the canonical code finds itself


@given(st.integers(min_value=1, max_value=10_000_000).map(lambda cents: cents / 100))
def test_price_round_trip(amount):
    assert parse_price(format_price(amount)) == amount
    assert parse_price(f"only {format_price(amount)} per session") == amount


@given(st.emails())
def test_email_normalisation_is_idempotent(email):
    once = normalise_email(email)
    assert once is None or normalise_email(once) == once


fragments = st.sampled_from([
    "<p>", "</p>", "<li>", "<h3>", "</h3>", "<footer>", "Jane Roe", ", LPC", " LCSW", "Dr. ", "Connecticut", " CT ",
    "(virtual only)", " in-person ", "$450", "203-555-0147", "@", "mailto:", "Virginia Ave", "Washington",
    " and ", ", ", ". ", "IV", "lozenge", "we do not offer ", "Journey Clinical", "<script>x</script>", "&amp;",
    "\u00a0", "·", "|", "Hartford, CT 06103", "Fairfield and New Haven counties", "</td></tr></table>",
    "<script type='application/ld+json'>{\"@type\":\"Physician\",\"name\":", "\"Ann Lee, MD\"}", "</script>",
    "<div itemscope itemtype='https://schema.org/Person'><span itemprop='name'>", "</span></div>", "<!--", "\x00",
    "\x1f", "\x0b", "\ud800", "\u202e",
])


@given(st.lists(st.one_of(fragments, st.text(max_size=12)), max_size=40))
def test_any_page_extracts_without_error_and_serialises(parts):
    import json

    from directory.extraction import extract_page, facts_to_json, merge_site

    content = "".join(parts)
    html = extract_page(content)
    text = extract_page(content, content_type="text/plain")
    payload = facts_to_json(merge_site([html, text]))
    json.dumps(payload)
    assert all(state["state"] in STATE_CODES for state in payload["states"])
    assert all(phone.startswith("+1") for phone in payload["phones"])
