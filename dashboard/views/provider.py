"""Provider page: the practice, its clinicians, each verdict with its evidence, facts, discrepancies, changes."""

import streamlit as st

from dashboard import data
from dashboard.changes_ui import changes_section
from dashboard.render import badge, link, md, when
from dashboard.url_state import Param, seed_from_url, write_to_url
from directory.errors import KapdirError
from directory.queries import MODE_LABELS, offering_label, state_name
from directory.vocab import Badge

choices = dict(data.cached("practice_choices"))
st.title("Provider")
if not choices:
    st.info("The directory is empty: no practice has been crawled yet.")
    st.stop()

PARAMS = [Param("provider_practice", "practice", None, list(choices), kind=int)]
seed_from_url(PARAMS)
st.selectbox("Practice", list(choices), key="provider_practice", format_func=choices.get, index=None,
             placeholder="Choose a practice")
write_to_url(PARAMS)
practice_id = st.session_state.provider_practice
if practice_id is None:
    st.info("Choose a practice, or open one from the search results.")
    st.stop()

try:
    detail = data.cached("practice_detail", practice_id=practice_id)
except KapdirError as exc:
    st.error(md(exc))
    st.stop()

st.header(md(detail.name))
link(detail.website or "", detail.website)
if detail.stale_note:
    st.warning(md(detail.stale_note), icon=":material/history:")
st.caption(f"First seen {when(detail.first_seen)} · last crawled {when(detail.last_crawled)}")

overview, states, places = st.columns(3)
with overview:
    st.markdown("**The offer**")
    offer = [
        {True: "Therapy included", False: "Medication only (no therapy)", None: "Therapy: not stated"}[
            detail.therapy_included],
        f"Prescribing partner: {detail.medical_partner}" if detail.medical_partner else "",
        f"Insurance: {detail.insurance}" if detail.insurance else "",
        f"Phone: {', '.join(detail.phones)}" if detail.phones else "",
        f"Email: {', '.join(detail.emails)}" if detail.emails else "",
    ]
    for line in filter(None, offer):
        st.markdown(md(line))
    for row in detail.offerings:
        if row["kind"] == "price" and row["amount_usd"] is not None:
            text = f"Price: ${row['amount_usd']:,.0f}" + (f" per {row['unit']}" if row["unit"] else "")
        else:
            text = f"{row['kind'].capitalize()}: {offering_label(row['kind'], row['value'])}"
        st.markdown(md(text))
with states:
    st.markdown("**States the site lists**")
    yes_no = {True: "yes", False: "no", None: "not stated"}
    st.dataframe([{"state": a["state"], "in person": yes_no[a["in_person"]], "virtual": yes_no[a["virtual"]]}
                  for a in detail.service_areas], hide_index=True, key="provider_states")
with places:
    st.markdown("**Locations**")
    for loc in detail.locations:
        st.markdown(md(", ".join(filter(None, [loc["address"], loc["city"], loc["state"], loc["zip"]]))))
    if not detail.locations:
        st.caption("No street address on the site.")

st.subheader("Who may serve each state")
st.caption("Clinicians a board, compact or registry confirms for each state the site lists.")
st.dataframe([{"state": row["state"], "in person": row["in_person"], "virtual": row["virtual"],
               "prescribing": row["prescribing"]} for row in detail.coverage],
             hide_index=True, key="provider_coverage")

if detail.discrepancies:
    st.subheader("Discrepancies")
    for text in detail.discrepancies:
        st.warning(md(text), icon=":material/rule:")

st.subheader("Clinicians and what the boards say")
if not detail.clinicians:
    st.info("No clinician was found on this site, so no license could be checked.")
for clinician in detail.clinicians:
    with st.container(border=True, key=f"clinician_{clinician.id}"):
        st.markdown(f"#### {md(clinician.name)}")
        st.caption(md(f"Role: {clinician.role}" + (f" · NPI {clinician.npi}" if clinician.npi else "")
                      + (" · no longer listed on the site" if clinician.gone else "")))
        if clinician.bio:
            st.text(clinician.bio)
        if clinician.credentials:
            st.markdown(md("Credentials on the site: " + ", ".join(
                c["code"] + (f" ({c['state']})" if c["state"] else "") for c in clinician.credentials)))
        if not clinician.verdicts:
            badge(Badge.UNVERIFIED)
            st.caption("Not checked yet.")
        for verdict in clinician.verdicts:
            with st.container(border=True):
                head, mark = st.columns([5, 1])
                scope = " · ".join(filter(None, [
                    state_name(verdict.state) if verdict.state else "",
                    MODE_LABELS.get(verdict.mode, verdict.mode or ""),
                    verdict.credential_code or "",
                ]))
                head.markdown(f"**{md(scope or verdict.claim_kind)}**: {md(verdict.label)}")
                with mark:
                    badge(verdict.badge)
                st.caption(md(verdict.basis))
                evidence = " · ".join(filter(None, [
                    f"Source: {verdict.source}" if verdict.source else "Source: none",
                    f"License {verdict.license_number}" if verdict.license_number else "",
                    f"Board status: {verdict.raw_status}" if verdict.raw_status else "",
                    f"Expires {verdict.expires}" if verdict.expires else "",
                    f"Source as of {verdict.source_as_of}" if verdict.source_as_of else "",
                ]))
                st.caption(md(evidence))
                st.caption(f"Last checked: {when(verdict.checked_at)}" + (" · due for a re-check" if verdict.due
                                                                           else ""))
                link("Board record", verdict.source_url)

st.subheader("Every extracted fact, with its source")
if detail.facts:
    with st.container(height=480, key="provider_facts"):
        for fact in detail.facts:
            who = f" {md('(' + fact['clinician'] + ')')}" if fact["clinician"] else ""
            st.markdown(f"**{md(fact['field'])}**{who}: {md(fact['value'])}")
            for snippet in fact["snippets"]:
                st.text(f"“{snippet}”")
            pages = "; ".join(f"{src['url']} (fetched {when(src['fetched_at'])})" for src in fact["sources"][:5])
            more = f" and {len(fact['sources']) - 5} more pages" if len(fact["sources"]) > 5 else ""
            st.caption(md(f"Source: {pages or 'no source page'}{more}"))
else:
    st.caption("No facts stored for this practice.")

changes_section(practice_id)  # "What changed" and "Watch this practice" (dashboard/changes_ui.py)
