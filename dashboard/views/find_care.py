"""Find care: "I am in [state]", in person near a city or ZIP or virtual, filters, badges, map, paging."""

import streamlit as st

from dashboard import data
from dashboard.render import badge, md, when
from dashboard.url_state import Param, seed_from_url, write_to_url
from directory.errors import KapdirError
from directory.queries import ROUTE_LABELS, SETTING_LABELS, SORT_OPTIONS, state_codes, state_name
from directory.vocab import LICENSE_CLASS_LABELS, ROLE_LABELS, LicenseClass, Role, Route, Setting

PRESCRIBER_LABELS = {"any": "Any", "on_staff": "Prescriber on staff", "partner": "Named prescribing partner",
                     "either": "Either"}
MODE_LABELS = {"in_person": "In person", "virtual": "Virtual (telehealth)"}
RADII = [10, 25, 50, 100, 0]
PRICE_CEILING = 5000
STATES = state_codes()

PARAMS = [
    Param("find_state", "state", None, STATES),
    Param("find_mode", "mode", "virtual", list(MODE_LABELS)),
    Param("find_near", "near", ""),
    Param("find_radius", "radius", 0, RADII, kind=int),
    Param("find_routes", "route", [], [r.value for r in Route], multi=True),
    Param("find_settings", "setting", [], [s.value for s in Setting], multi=True),
    Param("find_therapy", "therapy", False, kind=bool),
    Param("find_roles", "role", [], [r.value for r in Role], multi=True),
    Param("find_classes", "class", [], [c.value for c in LicenseClass], multi=True),
    Param("find_verified", "verified", False, kind=bool),
    Param("find_price_min", "price_min", 0, kind=int),
    Param("find_price_max", "price_max", PRICE_CEILING, kind=int),
    Param("find_prescriber", "prescriber", "any", list(PRESCRIBER_LABELS)),
    Param("find_sort", "sort", "best", list(SORT_OPTIONS)),
    Param("find_page", "page", 1, kind=int),
]

seed_from_url(PARAMS)


def back_to_first_page() -> None:
    st.session_state.find_page = 1


RESTART = {"on_change": back_to_first_page}  # a changed search starts again at page 1

st.title("Find care")
st.write("Find ketamine-assisted therapy from clinicians whose licenses let them treat you where you are.")

where, how = st.columns([2, 2])
where.selectbox("I am in", STATES, key="find_state", format_func=state_name, index=None,
                placeholder="Choose your state", **RESTART)
how.radio("How do you want to meet?", list(MODE_LABELS), key="find_mode", format_func=MODE_LABELS.get,
          horizontal=True, **RESTART)
if st.session_state.find_mode == "in_person":
    near, radius = st.columns([2, 2])
    near.text_input("Near (city or ZIP code)", key="find_near", placeholder="e.g. Hartford or 06103", **RESTART)
    radius.selectbox("Within", RADII, key="find_radius", format_func=lambda m: f"{m} miles" if m else "any distance",
                     **RESTART)

with st.expander("Filters", expanded=False):
    left, right = st.columns(2)
    left.multiselect("Route", [r.value for r in Route], key="find_routes", format_func=ROUTE_LABELS.get, **RESTART)
    left.multiselect("Setting", [s.value for s in Setting], key="find_settings", format_func=SETTING_LABELS.get,
                     **RESTART)
    left.checkbox("Therapy included (not medication only)", key="find_therapy", **RESTART)
    left.checkbox("Verified only", key="find_verified", help="Only practices where a board confirms someone.",
                  **RESTART)
    right.multiselect("Clinician role", [r.value for r in Role], key="find_roles", format_func=ROLE_LABELS.get,
                      **RESTART)
    right.multiselect("License type", [c.value for c in LicenseClass], key="find_classes",
                      format_func=LICENSE_CLASS_LABELS.get, **RESTART)
    right.selectbox("Prescribing", list(PRESCRIBER_LABELS), key="find_prescriber", format_func=PRESCRIBER_LABELS.get,
                    **RESTART)
    low, high = right.columns(2)
    low.number_input("Price from (USD)", min_value=0, max_value=PRICE_CEILING, step=50, key="find_price_min",
                     **RESTART)
    high.number_input("Price up to (USD)", min_value=0, max_value=PRICE_CEILING, step=50, key="find_price_max",
                      **RESTART)
st.selectbox("Sort by", list(SORT_OPTIONS), key="find_sort", format_func=SORT_OPTIONS.get, **RESTART)

state = st.session_state.find_state
write_to_url(PARAMS)
if state is None:
    st.info("Choose the state you are in: a clinician may treat you only where you are at the time of the session.")
    st.stop()

mode = st.session_state.find_mode
near_text = st.session_state.find_near.strip() if mode == "in_person" else ""
try:
    result = data.cached(
        "search_practices", state=state, mode=mode, near=near_text or None,
        radius_miles=(st.session_state.find_radius or None) if near_text else None,
        routes=st.session_state.find_routes, settings=st.session_state.find_settings,
        therapy_included=True if st.session_state.find_therapy else None, roles=st.session_state.find_roles,
        license_classes=st.session_state.find_classes, verified_only=st.session_state.find_verified,
        price_min=st.session_state.find_price_min or None,
        price_max=None if st.session_state.find_price_max >= PRICE_CEILING else st.session_state.find_price_max,
        prescriber=None if st.session_state.find_prescriber == "any" else st.session_state.find_prescriber,
        sort=st.session_state.find_sort, page=st.session_state.find_page,
    )
except KapdirError as exc:
    st.error(md(exc))
    st.stop()

offer = "practice offers" if result.total == 1 else "practices offer"
st.subheader(f"{result.total} {offer} {MODE_LABELS[mode].lower()} care in {state_name(state)}")
if result.place:
    st.caption(f"Distances from {md(result.place.label)}.")
if not result.cards:
    st.info("No practice matches. Try fewer filters or another way to meet.")

for card in result.cards:
    with st.container(border=True, key=f"card_{card.practice_id}"):
        title, status = st.columns([5, 1])
        title.markdown(f"#### {md(card.name)}")
        with status:
            badge(card.badge)
        st.markdown(md(card.reason))
        facts = []
        if card.distance_miles is not None:
            facts.append(f"{card.distance_miles:.1f} miles ({card.nearest})")
        if card.routes:
            facts.append("Routes: " + ", ".join(ROUTE_LABELS.get(r, r) for r in card.routes))
        if card.settings:
            facts.append("Settings: " + ", ".join(SETTING_LABELS.get(s, s) for s in card.settings))
        facts.append({True: "Therapy included", False: "Medication only", None: "Therapy: not stated"}[
            card.therapy_included])
        if card.price_min is not None:
            facts.append(f"${card.price_min:,.0f}" + (f" to ${card.price_max:,.0f}" if card.price_max != card.price_min
                                                      else ""))
        if card.medical_partner:
            facts.append(f"Prescribing partner: {card.medical_partner}")
        st.caption(md(" · ".join(facts)))
        if card.clinicians:
            st.caption(md("Clinicians: " + "; ".join(card.clinicians)))
        st.caption(f"Last checked: {when(card.last_checked)}" + (" · site data may be out of date" if card.stale
                                                                  else ""))
        st.page_link("views/provider.py", label="Details and evidence", icon=":material/fact_check:",
                     query_params={"practice": str(card.practice_id)})

if result.pages > 1:
    if st.session_state.find_page > result.pages:  # the filters changed under an old page number
        st.session_state.find_page = result.page
    st.number_input(f"Page (of {result.pages})", min_value=1, max_value=result.pages, key="find_page")

if mode == "in_person" and result.locations:
    st.subheader("Locations")
    points = [{"practice": p.practice, "address": p.address, "city": p.city, "zip": p.zip,
               "miles": p.distance_miles, "lat": p.lat, "lon": p.lon} for p in result.locations]
    st.dataframe(points, hide_index=True, key="find_locations",
                 column_order=["practice", "address", "city", "zip", "miles"])
    st.caption("The map below needs internet for its background tiles; the table above lists the same places.")
    st.map(points, latitude="lat", longitude="lon", zoom=6, height=320)
