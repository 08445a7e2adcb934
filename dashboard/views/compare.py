"""Compare 2 to 4 practices or clinicians side by side; CSV download; a vetting checklist for referrers."""

import streamlit as st

from dashboard import data
from dashboard.render import badge, md
from dashboard.url_state import Param, seed_from_url, write_to_url
from directory.errors import KapdirError

KINDS = {"practices": "Practices", "clinicians": "Clinicians"}

practices = dict(data.cached("practice_choices"))
clinicians = dict(data.cached("clinician_choices"))
PARAMS = [
    Param("compare_kind", "kind", "practices", list(KINDS)),
    Param("compare_practices", "p", [], list(practices), multi=True, kind=int),
    Param("compare_clinicians", "c", [], list(clinicians), multi=True, kind=int),
]
seed_from_url(PARAMS)

st.title("Compare")
st.radio("Compare", list(KINDS), key="compare_kind", format_func=KINDS.get, horizontal=True)
if st.session_state.compare_kind == "practices":
    st.multiselect("Choose 2 to 4 practices", list(practices), key="compare_practices", format_func=practices.get,
                   max_selections=4)
    chosen, query, argument = st.session_state.compare_practices, "compare_practices", "practice_ids"
else:
    st.multiselect("Choose 2 to 4 clinicians", list(clinicians), key="compare_clinicians",
                   format_func=clinicians.get, max_selections=4)
    chosen, query, argument = st.session_state.compare_clinicians, "compare_clinicians", "clinician_ids"
write_to_url(PARAMS)

if len(chosen) < 2:
    st.info("Choose at least two to see them side by side.")
else:
    try:
        comparison = data.cached(query, **{argument: list(chosen)})
    except KapdirError as exc:
        st.error(md(exc))
    else:
        columns = [f"{i + 1}. {name}" for i, name in enumerate(comparison.columns)]
        table = [{"aspect": aspect, **dict(zip(columns, values, strict=True))} for aspect, values in comparison.rows]
        st.dataframe(table, hide_index=True, key="compare_table", row_height=60, height=60 * len(table) + 40)
        for i, name in enumerate(comparison.columns):
            st.caption(f"Column {i + 1}: {md(name)}")
        st.download_button("Download as CSV", comparison.to_csv(), file_name="kapdir-comparison.csv",
                           mime="text/csv", key="compare_download", on_click="ignore")

st.divider()
st.subheader("Vetting checklist for a referring therapist")
st.caption("License by state, standing, discipline, training claimed vs confirmed, and who prescribes.")
st.selectbox("Clinician", list(clinicians), key="checklist_clinician", format_func=clinicians.get, index=None,
             placeholder="Choose a clinician")
if st.session_state.checklist_clinician is not None:
    checklist = data.cached("vetting_checklist", clinician_id=st.session_state.checklist_clinician)
    st.markdown(f"**{md(checklist.clinician)}** ({md(checklist.role)}), {md(checklist.practice)}")
    for item in checklist.items:
        with st.container(border=True):
            question, mark = st.columns([5, 1])
            question.markdown(f"**{md(item.question)}**")
            with mark:
                badge(item.badge)
            st.markdown(md(item.answer))
            if item.evidence:
                st.caption(md(item.evidence))
    st.download_button("Download the checklist (text)", checklist.to_text(), file_name="kapdir-vetting.txt",
                       mime="text/plain", key="checklist_download", on_click="ignore")
