"""All configuration in one typed object, read from the environment (prefix ``KAPDIR_``)."""

import os
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from directory.errors import KapdirError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KAPDIR_", extra="ignore")

    data_dir: Path = Path.home() / ".local" / "share" / "kapdir"
    # DATABASE_URL (no prefix) wins over the default SQLite file in data_dir.
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "KAPDIR_DATABASE_URL")
    )
    contact_url: str = "https://github.com/kapdir/kapdir#crawler"
    user_agent: str | None = None  # default built from contact_url
    # Crawl politeness.
    download_delay: float = 1.0
    concurrent_per_domain: int = 2
    max_pages_per_site: int = 40
    max_depth: int = 3
    max_body_bytes: int = 5 * 1024 * 1024
    download_timeout: float = 30.0  # seconds for one whole response, slow-drip bodies included
    retry_times: int = 2  # retries after a timeout, a dropped connection or a 5xx
    max_retry_after: float = 30.0  # honour a 503/429 Retry-After up to this many seconds, else give up
    max_crawl_delay: float = 30.0  # a robots.txt Crawl-delay is honoured up to this many seconds between requests
    # Helper processes that extract pages beside the crawl, one per core by default (0: in the crawl process).
    extract_processes: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=0)
    extract_timeout_s: float = Field(default=10.0, gt=0)  # wall-clock budget to read one page (~0.02 s typical)
    # `kapdir refresh` (issue 15): a site that changed is re-crawled after recrawl_days; each crawl in a row that
    # finds it unchanged doubles that, up to recrawl_max_days; a failing site is retried after recrawl_retry_hours,
    # doubled with each failure in a row (up to recrawl_max_days). seeds_file: the practice sites refresh starts
    # from when no seeds are configured (default: the bundled directory/data/seeds/us-kap.txt).
    recrawl_days: float = Field(default=7.0, gt=0)
    recrawl_max_days: float = Field(default=28.0, gt=0)
    recrawl_retry_hours: float = Field(default=6.0, gt=0)
    seeds_file: Path | None = None
    # How long a command waits for another process's write lock on an SQLite database before failing.
    db_busy_timeout_s: float = 30.0
    # Verification freshness (days) and how stale board data may be before verdicts say so.
    verification_ttl_days: int = 90
    source_stale_days: int = 45
    lookup_cache_ttl_days: int = 30
    # A roster sync that would remove more than this share of records is refused unless forced.
    max_removal_share: float = 0.2
    # Where board adapters reach their sources; empty means each adapter's public URL.
    # Example: KAPDIR_SOURCE_URLS='{"ct_socrata": "http://127.0.0.1:8765"}'
    source_urls: dict[str, str] = {}
    socrata_app_token: str | None = None
    # Credentials per source (e.g. the FL MQA sign-in session cookie), never in code.
    source_credentials: dict[str, str] = {}
    # License-source HTTP: per-request timeout, retries on HTTP 429 (honouring Retry-After, capped), delay
    # between form look-ups (politeness), and rows per request for paged sources.
    board_timeout_s: float = 60.0
    board_max_retries: int = 4
    board_backoff_cap_s: float = 60.0
    board_lookup_delay_s: float = 1.0
    board_page_size: int = 10000  # Socrata allows 50,000; 10,000 keeps a sync under ~150 MB
    # Bounds on every board request (a source may set its own max_bytes / deadline_s in sources.toml): bytes one
    # answer may carry, and seconds one request may take in total (a server dripping bytes cannot hold a sync).
    board_max_bytes: int = 2 * 1024**3
    board_deadline_s: float = 1800.0
    # Admin area password (also read from Streamlit secrets by the dashboard).
    admin_password: str | None = None
    # Network egress (directory.egress): loopback and private addresses, and any port, only for the sample world
    # (`kapdir demo`) and tests. Never set it on a deployment that crawls the web.
    allow_private_hosts: bool = False
    egress_ports: list[int] = [80, 443]
    egress_allow_networks: list[str] = []  # CIDRs admitted anyway, e.g. an internal mirror of a board
    # Change events (directory.changes, issue 15): a webhook that receives a JSON POST per event batch, and where
    # `kapdir feeds serve` is reached (the base of each watch list's Atom feed URL shown to users).
    webhook_url: str | None = None
    feed_base_url: str = "http://127.0.0.1:8502"
    listing_seed_cap: int = 500  # most practice sites one listing may add as seeds
    # "off" removes the admin area from the dashboard (a public deployment runs a separate admin instance).
    admin: str = "on"
    admin_max_failures: int = 5  # wrong passwords per server before the lockout window
    admin_lockout_s: float = 900.0

    @property
    def effective_user_agent(self) -> str:
        return self.user_agent or f"kapdir/0.1 (+{self.contact_url})"

    @property
    def default_database_url(self) -> str:
        return f"sqlite:///{self.data_dir / 'kapdir.db'}"


@lru_cache
def get_settings() -> Settings:
    """The settings; a malformed value is a one-line KapdirError naming the variable (it was a traceback)."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "KAPDIR_" + "_".join(str(part) for part in first["loc"][:1]).upper()
        raise KapdirError(f"setting {name}={first.get('input')!r}: {first['msg']}") from None
    except SettingsError as exc:  # a list or mapping setting that is not JSON
        field = str(exc).split('"')[1] if '"' in str(exc) else ""
        raise KapdirError(f"setting KAPDIR_{field.upper()}: not valid JSON (e.g. [80, 443] or [\"10.0.0.0/8\"])"
                          ) from None
