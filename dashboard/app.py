"""kapdir dashboard: the router. Pages live in dashboard/views/ and only render what directory.queries returns.

Run with `kapdir dashboard` (or `streamlit run dashboard/app.py`); the database comes from
KAPDIR_DASHBOARD_DB, else DATABASE_URL, else the data directory. KAPDIR_ADMIN=off leaves the admin area out.
"""

import logging
import uuid

import streamlit as st

from dashboard.render import legend, notice
from directory.settings import get_settings

logger = logging.getLogger("kapdir.dashboard")

st.set_page_config(page_title="kapdir: find verified KAP providers", page_icon=":material/verified_user:",
                   layout="wide")

pages = [
    st.Page("views/find_care.py", title="Find care", icon=":material/search:", default=True),
    st.Page("views/provider.py", title="Provider", icon=":material/badge:", url_path="provider"),
    st.Page("views/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
]
if get_settings().admin.strip().lower() != "off":
    pages.append(st.Page("views/admin.py", title="Admin", icon=":material/admin_panel_settings:", url_path="admin"))
page = st.navigation(pages)

with st.sidebar:
    legend()
notice()  # once, above every page (not again in the sidebar)
try:
    page.run()
except Exception:  # st.stop / st.rerun are BaseExceptions and pass through
    # The visitor sees a reference id, never a traceback (which may carry SQL); the server log has the details.
    reference = uuid.uuid4().hex[:12]
    logger.exception("dashboard error, reference %s", reference)
    st.error(f"Something went wrong on our side. If it keeps happening, report reference {reference}.")
