"""The bundled starting list of real US KAP practice sites, and the seed list loader every seed file goes through."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.run import read_seed_args
from directory.egress import Policy
from directory.errors import KapdirError
from directory.seeds import SEED_LIST, STATE_CODES, load_seed_list, site_host

PUBLIC = Policy()  # the production policy: no private hosts, ports 80/443 only (tests allow private hosts)


def test_the_bundled_list_is_real_sized_public_and_one_line_per_site():
    sites = load_seed_list(policy=PUBLIC)
    hosts = [site_host(site.url) for site in sites]
    assert len(set(hosts)) == len(hosts) >= 150
    for site in sites:
        parts = urlsplit(site.url)
        assert parts.scheme in {"http", "https"} and parts.port is None and "." in parts.hostname
        assert not parts.hostname.endswith((".example", ".test", ".local", ".invalid")), site
        assert set(site.states) <= STATE_CODES
    named = [site for site in sites if site.states]
    assert len(named) >= 75  # about half the pages seen named their state(s)
    assert len({state for site in named for state in site.states}) >= 35  # spread over the country


def test_the_header_says_where_and_when_the_list_was_compiled():
    header = [line for line in SEED_LIST.read_text().splitlines() if line.startswith("#")]
    text = "\n".join(header)
    assert "Compiled" in text and "2026-" in text and "labels.jsonl" in text and "Format" in text


@pytest.mark.parametrize(("line", "message"), [
    ("ftp://files.example.com/", "only http and https"),
    ("https://10.0.0.7/", "private, loopback or reserved"),
    ("https://practice.example.com:8080/", "port 8080 is not allowed"),
    ("https://printer.local/", "not a public host name"),
    ("https://ok.example.com/  ZZ", "'ZZ' is not a US state code"),
    ("https://ok.example.com/  CO,co", "'co' is not a US state code"),
    ("https://ok.example.com/  CO,CO", "names a state twice"),
    ("https://ok.example.com/  CO  NM", "expected 'URL [STATES] [# note]'"),
    ("https://www.first.example.com/a  CO", "already listed on line 2"),
])
def test_a_bad_line_is_a_one_line_error_naming_file_and_line(tmp_path, line, message):
    path = tmp_path / "seeds.txt"
    path.write_text(f"# a list\nhttps://first.example.com/ CO # fine\n\n{line}\n")
    with pytest.raises(KapdirError) as caught:
        load_seed_list(path, policy=PUBLIC)
    text = str(caught.value)
    assert text.startswith(f"{path} line 4: ") and message in text and "\n" not in text


def test_states_and_notes_are_optional_and_urls_are_normalised(tmp_path):
    path = tmp_path / "seeds.txt"
    path.write_text("HTTPS://Calm.Example.com\nhttps://b.example.com/kap  -  # none named\n"
                    "https://c.example.com/  DC,MD,VA # three\n")
    sites = load_seed_list(path, policy=PUBLIC)
    assert [(s.url, s.states, s.line) for s in sites] == [
        ("https://calm.example.com/", (), 1), ("https://b.example.com/kap", (), 2),
        ("https://c.example.com/", ("DC", "MD", "VA"), 3)]


def test_a_missing_file_is_a_one_line_error(tmp_path):
    with pytest.raises(KapdirError, match="cannot read seed list"):
        load_seed_list(tmp_path / "nope.txt")


def test_kapdir_crawl_reads_a_file_in_the_list_format(tmp_path):
    # The sample world's hosts resolve only through its proxy; with private hosts allowed (the tests' setting)
    # a name that does not resolve here is accepted, as for every seed file.
    assert os.environ.get("KAPDIR_ALLOW_PRIVATE_HOSTS") == "true"
    path = tmp_path / "seeds.txt"
    path.write_text("# two practices\nhttp://calmharbor.example/  CO,NM  # note\nhttp://brightpath.example/ -\n")
    assert read_seed_args([str(path)]) == {"http://calmharbor.example/": "file", "http://brightpath.example/": "file"}


def test_kapdir_crawl_refuses_a_bad_seed_list_line_in_one_line(tmp_path):
    path = tmp_path / "seeds.txt"
    path.write_text("http://calmharbor.example/ CO\nhttp://brightpath.example/ Colorado\n")
    result = subprocess.run([str(Path(sys.executable).with_name("kapdir")), "crawl", "--seeds", str(path),
                             "--db", str(tmp_path / "x.db")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{path} line 2: 'Colorado' is not a US state code" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_seed_dns_checks_run_in_a_bounded_pool_with_the_sequential_result(tmp_path, monkeypatch):
    """The slow part of checking seeds is each one's DNS lookup: they run at once (at most SEED_CHECK_THREADS),
    and the answer is what checking one by one gives: the URLs in order, or the first bad line's error."""
    import threading
    import time

    import directory.egress
    from crawler.run import SEED_CHECK_THREADS, check_seed, check_seeds
    from directory.settings import get_settings

    monkeypatch.setenv("KAPDIR_ALLOW_PRIVATE_HOSTS", "false")  # the production policy
    get_settings.cache_clear()
    answers = {f"site{n}.org": "93.184.216.34" for n in range(40)}
    answers |= {"slowprivate.org": "10.0.0.7", "fastprivate.org": "127.0.0.1"}
    active, most = [0], [0]
    lock = threading.Lock()

    def fake_dns(host: str, port: int) -> list[str]:  # a stand-in resolver that takes 50 ms (slow ones 300 ms)
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        time.sleep(0.3 if host.startswith("slow") else 0.05)
        with lock:
            active[0] -= 1
        return [answers[host]] if host in answers else []

    monkeypatch.setattr(directory.egress, "system_resolve", fake_dns)
    try:
        good = [f"http://site{n}.org" for n in range(40)]
        started = time.monotonic()
        assert check_seeds(good) == [check_seed(url) for url in good] == [url + "/" for url in good]
        assert most[0] == SEED_CHECK_THREADS  # in parallel, and bounded
        assert time.monotonic() - started < 40 * 0.05 * 2  # (the sequential check above alone takes 2 s)

        # The slow bad seed comes first in the file: its error, not the one that failed first in time.
        path = tmp_path / "seeds.txt"
        lines = [*good[:3], "http://slowprivate.org/", *good[3:6], "http://fastprivate.org/"]
        path.write_text("# seeds\n" + "\n".join(lines) + "\n")
        with pytest.raises(KapdirError) as caught:
            read_seed_args([str(path)])
        with pytest.raises(KapdirError) as one_by_one:
            check_seed("http://slowprivate.org/")
        assert str(caught.value) == f"{path} line 5: {one_by_one.value}"
        assert "10.0.0.7" in str(caught.value) and len(str(caught.value).splitlines()) == 1
        with pytest.raises(KapdirError, match="nowhere.org does not resolve"):
            check_seeds(["http://site1.org/", "http://nowhere.org/"])
    finally:
        get_settings.cache_clear()
