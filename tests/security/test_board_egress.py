"""The board HTTP client (directory/boards/http.py) under the egress policy, over real HTTP on loopback.

As deployed (private hosts not allowed), with only 127.0.0.1 admitted (KAPDIR_EGRESS_ALLOW_NETWORKS, as an
operator admits an internal mirror): a source that redirects to 127.0.0.2 is refused at the redirect, and a
host name whose DNS answer changes to 127.0.0.2 after a first good answer never gets a connection there.
"""

import ipaddress
import json

import pytest

from directory import egress
from directory.boards import http
from directory.egress import Policy
from directory.errors import SourceError
from directory.settings import Settings
from tests.security.conftest import serve

MIRROR_ONLY = Policy(allow_networks=(ipaddress.ip_network("127.0.0.1/32"),))


@pytest.fixture
def strict(monkeypatch, two_hosts):
    port = two_hosts
    monkeypatch.setattr(egress, "current_policy", lambda: Policy(ports=frozenset({80, 443, port}),
                                                                 allow_networks=MIRROR_ONLY.allow_networks))
    return port


def settings() -> Settings:
    return Settings(board_max_retries=0)


def test_a_source_that_redirects_to_a_private_address_is_refused_at_the_redirect(strict):
    port = strict
    source = {"/api": (302, {"Location": f"http://127.0.0.2:{port}/latest/meta-data/"}, "")}
    with serve("127.0.0.1", port, source) as hits, serve("127.0.0.2", port, {}) as private_hits:
        with pytest.raises(SourceError, match="blocked_address") as caught:
            http.get_json("ct_socrata", f"http://127.0.0.1:{port}/api", settings=settings(), timeout=5)
    assert hits == ["/api"] and private_hits == []
    assert "Traceback" not in str(caught.value) and len(str(caught.value).splitlines()) == 1


def test_a_source_on_a_disallowed_address_is_never_connected(strict):
    port = strict
    with serve("127.0.0.2", port, {"/api": (200, {}, "{}")}) as private_hits:
        with pytest.raises(SourceError, match="blocked_address"):
            http.get_json("ct_socrata", f"http://127.0.0.2:{port}/api", settings=settings(), timeout=5)
    assert private_hits == []


def test_a_dns_answer_that_rebinds_after_the_first_request_gets_no_connection(strict, monkeypatch):
    port = strict
    answers = iter([["127.0.0.1"], ["127.0.0.2"]])
    monkeypatch.setattr(egress, "system_resolve", lambda host, port: next(answers))
    body = json.dumps({"ok": True})
    with serve("127.0.0.1", port, {"/api": (200, {"Content-Type": "application/json"}, body)}) as hits, \
            serve("127.0.0.2", port, {"/api": (200, {}, "{}")}) as private_hits:
        url = f"http://board.example.com:{port}/api"
        assert http.get_json("ct_socrata", url, settings=settings(), timeout=5) == {"ok": True}
        with pytest.raises(SourceError, match="blocked_address"):
            http.get_json("ct_socrata", url, settings=settings(), timeout=5)
    assert hits == ["/api"] and private_hits == []  # the checked address was the one connected to


def test_the_sample_world_switch_lets_the_board_mirrors_on_loopback_through(monkeypatch, two_hosts):
    port = two_hosts
    monkeypatch.setattr(egress, "current_policy", lambda: Policy(allow_private=True))
    with serve("127.0.0.2", port, {"/api": (200, {"Content-Type": "application/json"}, "[1]")}):
        assert http.get_json("ct_socrata", f"http://127.0.0.2:{port}/api", settings=settings(), timeout=5) == [1]


def test_a_pinned_http_client_connection_goes_to_the_checked_address_only(strict):
    import http.client

    port = strict
    policy = Policy(ports=frozenset({80, 443, port}), allow_networks=MIRROR_ONLY.allow_networks)
    with serve("127.0.0.1", port, {"/": (200, {}, "ok")}) as hits, serve("127.0.0.2", port, {}) as private_hits:
        good = egress.pin(http.client.HTTPConnection("board.example.com", port, timeout=5), policy,
                          lambda host, p: ["127.0.0.1"])
        good.request("GET", "/")
        assert good.getresponse().read() == b"ok"
        good.close()
        bad = egress.pin(http.client.HTTPConnection("board.example.com", port, timeout=5), policy,
                         lambda host, p: ["127.0.0.2"])
        with pytest.raises(egress.BlockedConnection, match="blocked_address"):
            bad.request("GET", "/")
    assert hits == ["/"] and private_hits == []


def test_an_oversized_source_body_ends_with_a_one_line_error():
    """The byte cap itself is the board client's (boards-lookups); this checks it holds under the egress policy."""
    if "board_max_bytes" not in Settings.model_fields:
        pytest.skip("the board byte cap (board_max_bytes) is not in this branch yet")
    big = "[" + ",".join(["1"] * 400_000) + "]"  # 800 KB of valid JSON
    from tests.conftest import free_port

    port = free_port()
    with serve("127.0.0.1", port, {"/big": (200, {"Content-Type": "application/json"}, big)}):
        with pytest.raises(SourceError) as caught:
            http.get_json("ct_socrata", f"http://127.0.0.1:{port}/big", timeout=5,
                          settings=Settings(board_max_retries=0, board_max_bytes=100_000))
    assert len(str(caught.value).splitlines()) == 1 and "Traceback" not in str(caught.value)
