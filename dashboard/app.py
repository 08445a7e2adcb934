"""kapdir dashboard: the router. Pages live in dashboard/views/ and only render what directory.queries returns.

Run with `kapdir dashboard` (or `streamlit run dashboard/app.py`); the database comes from
KAPDIR_DASHBOARD_DB, else DATABASE_URL, else the data directory.
"""

import streamlit as st

from dashboard.render import legend, notice

st.set_page_config(page_title="kapdir: find verified KAP providers", page_icon=":material/verified_user:",
                   layout="wide")

pages = [
    st.Page("views/find_care.py", title="Find care", icon=":material/search:", default=True),
    st.Page("views/provider.py", title="Provider", icon=":material/badge:", url_path="provider"),
    st.Page("views/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
    st.Page("views/admin.py", title="Admin", icon=":material/admin_panel_settings:", url_path="admin"),
]
page = st.navigation(pages)

with st.sidebar:
    legend()
    st.divider()
    notice()
notice()
page.run()
