"""Admin (behind a password): seeds, refresh / crawl / sync / re-verify with live progress, history, freshness."""

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from dashboard import data, jobs
from dashboard.admin_guard import server_guard
from dashboard.render import md, when
from directory import queries
from directory.errors import KapdirError
from directory.refresh import refresh_status
from directory.settings import get_settings

st.title("Admin")
settings = get_settings()
if settings.admin.strip().lower() == "off":  # app.py leaves the page out too; this stops a direct URL
    st.info("The admin area is turned off on this server (KAPDIR_ADMIN=off).")
    st.stop()


def configured_password() -> str | None:
    """KAPDIR_ADMIN_PASSWORD first, then Streamlit secrets (admin_password)."""
    if settings.admin_password:
        return settings.admin_password
    try:
        return st.secrets.get("admin_password") or None
    except StreamlitSecretNotFoundError:  # no secrets file at all
        return None


def client_address() -> str:
    """Who is signing in, for the log: the reverse proxy's X-Forwarded-For when present, else the peer."""
    forwarded = (st.context.headers.get("X-Forwarded-For") or "").split(",")[0].strip()
    return " ".join(f"{forwarded or st.context.ip_address or 'unknown'}".split())[:100]


password = configured_password()
if not password:
    st.info("The admin area is disabled: no admin password is configured. Set KAPDIR_ADMIN_PASSWORD in the "
            "environment or admin_password in .streamlit/secrets.toml.")
    st.stop()

if not st.session_state.get("admin_ok"):
    with st.form("admin_login_form"):
        attempt = st.text_input("Admin password", type="password", key="admin_password")
        submitted = st.form_submit_button("Sign in", key="admin_login")
    if submitted:
        guard = server_guard(max_failures=settings.admin_max_failures, lockout_s=settings.admin_lockout_s)
        verdict = guard.attempt(attempt, password, client=client_address())
        if verdict.ok:
            st.session_state.admin_ok = True
            st.rerun()
        st.error(verdict.message)
    st.stop()

if st.button("Sign out", key="admin_logout"):
    st.session_state.admin_ok = False
    st.rerun()

private_ok = settings.allow_private_hosts
db_url = data.database_url()
counts = data.run(queries.directory_counts)
for column, (label, value) in zip(st.columns(len(counts)), counts.items(), strict=True):
    column.metric(label.capitalize(), value)

seeds_tab, jobs_tab, history_tab, fresh_tab = st.tabs(["Seeds", "Crawl, sync, verify", "History", "Freshness"])

with seeds_tab:
    st.caption("Practice websites to crawl. Only http and https addresses of public hosts"
               + (" (KAPDIR_ALLOW_PRIVATE_HOSTS: loopback and private hosts allowed)." if private_ok else ".")
               + " Sites found on a listing wait here, inactive, until you approve (activate) them.")
    with st.form("seed_form", clear_on_submit=True):
        new_url = st.text_input("Add a seed URL", key="seed_url", placeholder="https://practice.com/")
        add = st.form_submit_button("Add seed", key="seed_add")
    if add:
        try:
            row = data.run(queries.add_seed, url=new_url)
        except KapdirError as exc:
            st.error(md(f"Refused: {exc}"))
        else:
            st.success(f"Added {md(row.url)}")
    seeds = data.run(queries.list_seeds)
    waiting = [s for s in seeds if s.awaiting_approval]
    if waiting:
        st.warning(f"{len(waiting)} sites found on listings await approval.")
    st.dataframe([{"id": s.id, "url": s.url, "origin": s.origin, "active": s.active,
                   "awaiting approval": s.awaiting_approval, "found on": s.listing_url or "",
                   "added": when(s.added_at)} for s in seeds], hide_index=True, key="seed_table")
    if seeds:
        by_id = {s.id: s for s in seeds}
        pick, toggle = st.columns([3, 1])
        chosen = pick.selectbox("Seed", list(by_id), key="seed_pick", format_func=lambda i: by_id[i].url)
        label = "Deactivate" if by_id[chosen].active else ("Approve" if by_id[chosen].awaiting_approval else "Activate")
        if toggle.button(label, key="seed_toggle"):
            try:
                data.run(queries.set_seed_active, seed_id=chosen, active=not by_id[chosen].active)
            except KapdirError as exc:
                st.error(md(f"Refused: {exc}"))
            else:
                st.rerun()

with jobs_tab:
    st.caption("Each job runs as a `kapdir` child process and writes its progress to the database.")
    st.markdown("**Refresh**: crawl the sites that are due, sync the sources that are due, re-verify what is due "
                "(`kapdir refresh`, which cron or a systemd timer runs on a schedule: docs/operations.md).")
    fresh = data.run(refresh_status)
    last = fresh["last"]
    if last is None:
        st.caption("Last refresh: none has run on this database yet.")
    else:
        st.caption(md(f"Last refresh: run {last['id']}, {last['status']}, started {when(last['started_at'])}, "
                      f"finished {when(last['finished_at'])}: {last['message']}"))
    what = f" ({fresh['next_due']})" if fresh["next_due"] else ""
    sources_due = ", ".join(fresh["sources_due"]) or "none"
    next_at = "now" if fresh["due_now"] else when(fresh["next_due_at"])
    st.caption(md(f"Next refresh due: {next_at}{what}. Due now: {fresh['sites_due']} of "
                  f"{fresh['sites']} sites; sources: {sources_due}; {fresh['verdicts_due']} verdicts."))
    start_refresh = st.button("Refresh now", key="job_refresh")
    crawl_col, sync_col, verify_col = st.columns(3)
    with crawl_col:
        st.text_input("Proxy for the crawl (optional)", value=jobs.default_proxy(), key="job_crawl_proxy")
        start_crawl = st.button("Crawl the active seeds", key="job_crawl")
    with sync_col:
        st.text_input("Sources (blank: every roster source)", key="job_sync_sources", placeholder="ct_socrata tx_bhec")
        start_sync = st.button("Sync board data", key="job_sync")
    with verify_col:
        st.checkbox("Only verdicts that are due", key="job_verify_due")
        start_verify = st.button("Re-verify", key="job_verify")
    try:
        if start_refresh:
            jobs.start_job("refresh", db_url=db_url, proxy=st.session_state.job_crawl_proxy.strip() or None)
        elif start_crawl:
            jobs.start_job("crawl", db_url=db_url, proxy=st.session_state.job_crawl_proxy.strip() or None)
        elif start_sync:
            jobs.start_job("sync", db_url=db_url, sources=st.session_state.job_sync_sources.split())
        elif start_verify:
            jobs.start_job("verify", db_url=db_url, due_only=st.session_state.job_verify_due)
    except KapdirError as exc:
        st.error(md(exc))

    @st.fragment(run_every=2)
    def progress() -> None:
        job = jobs.current_job()
        if job is None:
            st.caption("No job started from this dashboard yet.")
            return
        state = "running" if job.running else ("finished" if job.returncode == 0 else f"failed ({job.returncode})")
        st.markdown(f"**{job.kind.capitalize()}** started {when(job.started_at)}: {state}")
        if job.kind in {"crawl", "refresh"}:
            for run in data.run(queries.crawl_runs_since, since=job.started_at):
                st.progress(1.0 if run["status"] != "running" else min(0.95, run["pages"] / 200),
                            text=f"Crawl run {run['id']} ({run['status']}): {run['pages']} pages, {run['new']} new, "
                                 f"{run['changed']} changed, {sum(run['errors'].values())} errors")
        if job.kind in {"sync", "refresh"}:
            for sync in data.run(queries.syncs_since, since=job.started_at):
                st.caption(md(f"{sync['source']}: {sync['status']}, {sync['records']} records "
                              f"(+{sync['added']} / ~{sync['updated']} / -{sync['removed']}) {sync['error']}"))
        if job.kind in {"verify", "refresh"}:
            checked = data.run(queries.verifications_checked_since, since=job.started_at)
            st.caption(f"{checked} verdicts checked" + (" so far" if job.running else ""))
        tail = job.log_tail()
        if tail:
            st.code(tail, language=None)

    progress()

with history_tab:
    st.markdown("**Crawl runs**")
    runs = data.run(queries.crawl_history)
    st.dataframe(runs, hide_index=True, key="history_crawls")
    if runs:
        run_id = st.selectbox("Errors per URL for crawl run", [r["id"] for r in runs], key="history_run")
        errors = data.run(queries.crawl_errors, crawl_run_id=run_id)
        if errors:
            st.dataframe(errors, hide_index=True, key="history_errors")
        else:
            st.caption("No failed requests in this run.")
    st.markdown("**Board syncs**")
    st.dataframe(data.run(queries.sync_history), hide_index=True, key="history_syncs")

with fresh_tab:
    due = data.run(queries.due_summary)
    st.markdown("**What is stale or due**")
    st.markdown(f"- {due.verdicts_due} of {due.verdicts_total} verdicts are due for a re-check\n"
                f"- {due.practices_stale} practices whose last crawl failed\n"
                f"- {due.practices_not_recrawled} practices not crawled in 30 days\n"
                f"- {due.seeds_active} active seeds\n"
                f"- sources to sync: {md(', '.join(due.sources_stale)) or 'none'}")
    st.markdown("**Freshness per source**")
    st.dataframe(data.run(queries.source_freshness), hide_index=True, key="fresh_sources")
