"""Provider page: first the answer people come for (who may serve which state, in person and virtually, with a
badge), then the offer, each clinician's verdicts with their evidence, every extracted fact, and the changes.

Each section is one function taking the practice's detail; the calls at the bottom set the order, so a new
section is one more function and one more call.
"""

import streamlit as st

from dashboard import data
from dashboard.changes_ui import changes_section
from dashboard.render import badge, link, md, when
from dashboard.url_state import Param, seed_from_url, write_to_url
from directory.errors import KapdirError
from directory.queries import MODE_LABELS, PracticeDetail, offering_label, practice_badge, state_name
from directory.safetext import printable
from directory.vocab import (
    CLAIM_KIND_LABELS,
    INSURANCE_LABELS,
    ROLE_LABELS,
    Badge,
    ServiceMode,
    code_label,
    fact_field_label,
    phone_label,
)

YES_NO = {True: "yes", False: "no", None: "not stated"}
OFFERING_KIND_LABELS = {"route": "Route", "setting": "Setting", "price": "Price", "partner": "Prescribing partner"}


def choose_practice() -> int:
    """The practice selector (kept in the URL); stops the page until one is chosen."""
    choices = dict(data.cached("practice_choices"))
    st.title("Provider")
    if not choices:
        st.info("The directory is empty: no practice has been crawled yet.")
        st.stop()
    params = [Param("provider_practice", "practice", None, list(choices), kind=int)]
    seed_from_url(params)
    st.selectbox("Practice", list(choices), key="provider_practice", format_func=choices.get, index=None,
                 placeholder="Choose a practice")
    write_to_url(params)
    practice_id = st.session_state.provider_practice
    if practice_id is None:
        st.info("Choose a practice, or open one from the search results.")
        st.stop()
    return practice_id


def load_detail(practice_id: int) -> PracticeDetail:
    try:
        return data.cached("practice_detail", practice_id=practice_id)
    except KapdirError as exc:
        st.error(md(exc))
        st.stop()


def header(detail: PracticeDetail) -> None:
    st.header(md(detail.name))
    link(detail.website or "", detail.website)
    if detail.stale_note:
        st.warning(md(detail.stale_note), icon=":material/history:")
    st.caption(f"First seen {when(detail.first_seen)} · last crawled {when(detail.last_crawled)}")


def who_may_serve(detail: PracticeDetail) -> None:
    """Per state the site lists: who a board, compact or registry confirms, in person, virtually, prescribing."""
    st.subheader("Who may serve each state")
    st.caption("For each state the site lists: the clinicians a board, compact or registry confirms. A clinician "
               "may treat you only where you are at the time of the session.")
    if not detail.coverage:
        st.info("The site names no state it serves, so no license could be matched to one.")
        return
    verdicts: dict[tuple[str, str], list[str]] = {}
    for clinician in detail.clinicians:
        for verdict in clinician.verdicts:
            if verdict.state and verdict.mode:
                verdicts.setdefault((verdict.state, verdict.mode), []).append(verdict.verdict)
    for row in detail.coverage:
        with st.container(border=True, key=f"serve_{row['state']}"):
            st.markdown(f"**{md(state_name(row['state']))}**")
            for column, mode in zip(st.columns(3), ServiceMode, strict=True):
                with column:
                    st.caption(MODE_LABELS[mode].capitalize())
                    if row[mode.value] == "not offered":
                        st.markdown("Not offered here")
                        continue
                    badge(practice_badge(verdicts.get((row["state"], mode.value), [])))
                    st.markdown(md(row[mode.value]))


def discrepancies(detail: PracticeDetail) -> None:
    if detail.discrepancies:
        st.subheader("Discrepancies")
        for text in detail.discrepancies:
            st.warning(md(text), icon=":material/rule:")


def offer(detail: PracticeDetail) -> None:
    """What the site offers, the states it lists (as the site says) and its locations."""
    st.subheader("The offer")
    overview, states, places = st.columns(3)
    with overview:
        lines = [
            {True: "Therapy included", False: "Medication only (no therapy)", None: "Therapy: not stated"}[
                detail.therapy_included],
            f"Prescribing partner: {detail.medical_partner}" if detail.medical_partner else "",
            f"Insurance: {INSURANCE_LABELS.get(detail.insurance, detail.insurance)}" if detail.insurance else "",
            f"Phone: {', '.join(phone_label(n) for n in detail.phones)}" if detail.phones else "",
            f"Email: {', '.join(detail.emails)}" if detail.emails else "",
        ]
        for line in filter(None, lines):
            st.markdown(md(line))
        for row in detail.offerings:
            if row["kind"] == "partner" and row["value"] == detail.medical_partner:
                continue  # already said above
            if row["kind"] == "price" and row["amount_usd"] is not None:
                text = f"Price: ${row['amount_usd']:,.0f}" + (f" per {row['unit']}" if row["unit"] else "")
            else:
                kind = OFFERING_KIND_LABELS.get(row["kind"], code_label(row["kind"]))
                text = f"{kind}: {offering_label(row['kind'], row['value'])}"
            st.markdown(md(text))
    with states:
        st.markdown("**States the site lists**")
        st.dataframe([{"state": a["state"], "in person": YES_NO[a["in_person"]], "virtual": YES_NO[a["virtual"]]}
                      for a in detail.service_areas], hide_index=True, key="provider_states")
    with places:
        st.markdown("**Locations**")
        for loc in detail.locations:
            st.markdown(md(", ".join(filter(None, [loc["address"], loc["city"], loc["state"], loc["zip"]]))))
        if not detail.locations:
            st.caption("No street address on the site.")


def clinicians(detail: PracticeDetail) -> None:
    st.subheader("Clinicians and what the boards say")
    if not detail.clinicians:
        st.info("No clinician was found on this site, so no license could be checked.")
    for clinician in detail.clinicians:
        with st.container(border=True, key=f"clinician_{clinician.id}"):
            st.markdown(f"#### {md(clinician.name)}")
            st.caption(md(f"Role: {ROLE_LABELS.get(clinician.role, clinician.role)}"
                          + (f" · NPI {clinician.npi}" if clinician.npi else "")
                          + (" · no longer listed on the site" if clinician.gone else "")))
            if clinician.bio:
                st.text(printable(clinician.bio, keep_lines=True))
            if clinician.credentials:
                st.markdown(md("Credentials on the site: " + ", ".join(
                    c["code"] + (f" ({c['state']})" if c["state"] else "") for c in clinician.credentials)))
            if not clinician.verdicts:
                badge(Badge.UNVERIFIED)
                st.caption("Not checked yet.")
            for verdict in clinician.verdicts:
                verdict_card(verdict)


def verdict_card(verdict) -> None:
    with st.container(border=True):
        head, mark = st.columns([5, 1])
        scope = " · ".join(filter(None, [
            state_name(verdict.state) if verdict.state else "",
            MODE_LABELS.get(verdict.mode, verdict.mode or ""),
            verdict.credential_code or "",
        ]))
        head.markdown(f"**{md(scope or CLAIM_KIND_LABELS.get(verdict.claim_kind, verdict.claim_kind))}**: "
                      f"{md(verdict.label)}")
        with mark:
            badge(verdict.badge)
        st.caption(md(verdict.basis))
        evidence = " · ".join(filter(None, [
            f"Source: {verdict.source_label}" if verdict.source_label else "Source: none",
            f"License {verdict.license_number}" if verdict.license_number else "",
            f"Board status: {verdict.raw_status}" if verdict.raw_status else "",
            f"Expires {verdict.expires}" if verdict.expires else "",
            f"Record as of {verdict.source_as_of}" if verdict.source_as_of else "",
            f"source checked {verdict.source_checked}" if verdict.source_checked else "",
        ]))
        st.caption(md(evidence))
        st.caption(f"Last checked: {when(verdict.checked_at)}" + (" · due for a re-check" if verdict.due else ""))
        link("Board record", verdict.source_url)


def facts(detail: PracticeDetail) -> None:
    st.subheader("Every extracted fact, with its source")
    if not detail.facts:
        st.caption("No facts stored for this practice.")
        return
    with st.container(height=480, key="provider_facts"):
        for fact in detail.facts:
            who = f" {md('(' + fact['clinician'] + ')')}" if fact["clinician"] else ""
            st.markdown(f"**{md(fact_field_label(fact['field']))}**{who}: {md(fact['value'])}")
            for snippet in fact["snippets"]:
                st.text(printable(f"“{snippet}”", keep_lines=True))
            pages = "; ".join(f"{src['url']} (fetched {when(src['fetched_at'])})" for src in fact["sources"][:5])
            more = f" and {len(fact['sources']) - 5} more pages" if len(fact["sources"]) > 5 else ""
            st.caption(md(f"Source: {pages or 'no source page'}{more}"))


def changes(detail: PracticeDetail) -> None:
    st.subheader("Everything the crawler noticed on the site")
    if detail.changes:
        for change in detail.changes:
            st.markdown(md(f"{change['at']:%Y-%m-%d}: {change['description']}"))
    else:
        st.caption("No changes recorded.")


detail = load_detail(choose_practice())
header(detail)
who_may_serve(detail)
discrepancies(detail)
offer(detail)
clinicians(detail)
facts(detail)
changes_section(detail.id)  # "What changed" (change events) and "Watch this practice": dashboard/changes_ui.py
changes(detail)
